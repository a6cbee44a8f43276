/** `npm run sandbox`: start the sandbox and say how to point credentials at it. */
import { startSandbox } from './server';

function arg(name: string): string | undefined {
	const prefix = `--${name}=`;
	return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main() {
	const sandbox = await startSandbox({
		host: arg('host') ?? process.env.SANDBOX_HOST ?? '127.0.0.1',
		port: Number(arg('port') ?? process.env.SANDBOX_PORT ?? 4010),
		timeScale: Number(arg('time-scale') ?? process.env.SANDBOX_TIME_SCALE ?? 1),
		// Other names the control API and phone page answer to (e.g. a LAN name with --host=0.0.0.0), comma-separated.
		allowedHosts: (arg('allowed-hosts') ?? process.env.SANDBOX_ALLOWED_HOSTS ?? '').split(',').filter(Boolean),
		log: (line) => console.log(`[sandbox] ${line}`),
	});
	const { twilio, sinch, sns } = sandbox.accounts;
	console.log(`Messaging Gateway sandbox listening on ${sandbox.url}

Point a credential's Base URL at ${sandbox.url} and use:
  Twilio   Account SID ${twilio.accountSid}   Auth Token ${twilio.authToken}   From ${twilio.numbers[0]}
           WhatsApp From whatsapp:${twilio.whatsappNumbers[0]}   templates at /v1/Content (seeded, e.g. order_shipped)
  Sinch    Service Plan ID ${sinch.servicePlanId}   API Token ${sinch.apiToken}   From ${sinch.numbers[0]}
  AWS SNS  Access Key ID ${sns.accessKeyId}   Secret ${sns.secretAccessKey}   Region ${sns.region}

Control API: ${sandbox.url}/__sandbox   (messages, faults, callbacks, reset)`);
	const stop = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
