/**
 * `npm start`: a real n8n with this package, the sandbox, sandbox credentials and the example workflows,
 * ready in a browser. The first run installs n8n (once); later runs start in well under a minute and keep
 * what you built (the instance lives in .n8n-data/). Ctrl-C stops everything.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server';
import {
	ensureN8nInstalled,
	exampleWorkflows,
	importExamples,
	installPackage,
	N8nSession,
	OWNER,
	packPackage,
	republish,
	ROOT,
	startN8n,
} from './n8nServer';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4010);
const DATA = join(ROOT, '.n8n-data');
const STATE = join(DATA, 'gateway-start.json');

const say = (line: string) => console.log(`[start] ${line}`);

async function main() {
	ensureN8nInstalled();
	const sandbox = await startSandbox({ port: SANDBOX_PORT, log: (line) => console.log(`[sandbox] ${line}`) });
	say(`sandbox on ${sandbox.url}`);

	say('installing the package into n8n from its npm tarball');
	installPackage(DATA, packPackage(join(DATA, 'tarballs')));

	const firstRun = !existsSync(STATE);
	if (firstRun) {
		say('first run: importing sandbox credentials and example workflows');
		await importExamples(DATA, N8N_PORT, sandbox.url, sandbox.accounts, say);
	}

	say(`starting n8n on http://127.0.0.1:${N8N_PORT}`);
	const n8n = await startN8n({
		userFolder: DATA,
		port: N8N_PORT,
		log: (line) => {
			// Offline, n8n keeps failing to reach its own hosts: harmless, and not worth showing.
			const noise = /n8n\.io|ENOTFOUND|EAI_AGAIN|^\s+at /.test(line);
			if (process.env.N8N_START_VERBOSE || (/error|warn/i.test(line) && !noise)) console.log(`[n8n] ${line}`);
		},
	});
	if (firstRun) {
		await N8nSession.ownerSetup(n8n.url);
		writeFileSync(STATE, JSON.stringify({ createdAt: new Date().toISOString(), sandboxUrl: sandbox.url }, null, 2));
	} else {
		const state = JSON.parse(readFileSync(STATE, 'utf-8')) as { sandboxUrl: string };
		if (state.sandboxUrl !== sandbox.url) say(`note: the sandbox credentials point at ${state.sandboxUrl}; this sandbox is on ${sandbox.url}`);
	}

	// The sandbox forgets, when it stops, which URL its numbers post to; n8n does not set them up again on restart.
	try {
		await republish(await N8nSession.login(n8n.url), exampleWorkflows().filter((w) => w.messagingTrigger).map((w) => w.id));
	} catch (error) {
		say(`note: could not point the sandbox numbers at the Messaging Trigger workflows (${(error as Error).message}); publish them again in the editor`);
	}

	const workflows = exampleWorkflows()
		.map((w) => `    ${w.name}\n      ${n8n.url}/workflow/${w.id}`)
		.join('\n');
	console.log(`
  n8n is ready: ${n8n.url}
    login     ${OWNER.email}
    password  ${OWNER.password}

  Sandbox phones (watch the messages arrive): ${sandbox.url}/
  Sandbox control API: ${sandbox.url}/__sandbox

  Example workflows:
${workflows}

  Text YES from a sandbox phone to +15005550006 (the phone page: open a conversation, reply): the "Reply YES to confirm" workflow answers.

  Webhooks to try:
    curl -X POST ${n8n.url}/webhook/gateway-alert -H 'Content-Type: application/json' -d '{"to":"+33612345678","message":"Server down"}'
    curl -X POST ${n8n.url}/webhook/gateway-clean-numbers -H 'Content-Type: application/json' -d '{"numbers":["06 12 34 56 78","01 23 45 67 89","12345"]}'
    curl -X POST ${n8n.url}/webhook/gateway-login-start -H 'Content-Type: application/json' -d '{"phone":"+33612345678"}'
      (the code arrives on the sandbox phone; then log in with the verificationId it answered:)
    curl -X POST ${n8n.url}/webhook/gateway-login-check -H 'Content-Type: application/json' -d '{"verificationId":"…","phone":"+33612345678","code":"…"}'
    curl -X POST ${n8n.url}/webhook/gateway-order-shipped -H 'Content-Type: application/json' -d '{"phone":"+33612345678","name":"Ada","order":"#1042","arrives":"on Friday"}'
      (a WhatsApp template with Track / Talk to us buttons arrives on the sandbox phone: tap one, the workflow answers)
    curl -X POST ${n8n.url}/webhook/gateway-appointment-reminders -H 'Content-Type: application/json' -d '{}'
      (Bulk SMS Campaign: tomorrow's reminders to the example's patients, in Turkish or English, none at night; it answers
       with the campaign's summary. Post {"patients":[{"name","phone","language","time","timeZone"},…]} to choose them)
    curl -X POST ${n8n.url}/webhook/gateway-expense-approval -H 'Content-Type: application/json' -d '{"employee":"Ada","amount":120,"currency":"EUR","reason":"the train to Lyon","approver":"+33612345678"}'
      (Send and Wait for Reply: the approver's phone gets the question from +12025550134; reply YES or NO on the phone page,
       or open the link in the SMS and press a button. The run waits under Executions, then goes down Approved or Declined)

  Ctrl-C stops n8n and the sandbox.
`);

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		say('stopping');
		await n8n.stop();
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
	n8n.process.on('exit', (code) => {
		if (!stopping) {
			console.error(`[start] n8n exited (${code})`);
			void sandbox.stop().then(() => process.exit(1));
		}
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
