/**
 * `npm run bench`: figures, not tests. The machine is shared and noisy, so each figure that compares
 * is a ratio of two things measured side by side in this one run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describePhone } from '../nodes/shared/rules/phone';
import { countSegments } from '../nodes/shared/rules/segments';
import { signAwsRequest } from '../nodes/shared/signatures/awsSigV4';

process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-gateway-bench-'));

function rate(fn: () => void, minMs = 1500): number {
	let n = 0;
	const start = performance.now();
	while (performance.now() - start < minMs) {
		for (let i = 0; i < 100; i++) fn();
		n += 100;
	}
	return (n * 1000) / (performance.now() - start);
}

async function rateAsync(fn: () => Promise<void>, count: number): Promise<number> {
	const start = performance.now();
	await fn();
	return (count * 1000) / (performance.now() - start);
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const lines: string[] = [];
const row = (what: string, value: string) => {
	lines.push(`| ${what} | ${value} |`);
	console.log(`${what}: ${value}`);
};

async function main() {
	const messages = [
		'Your code is 123456',
		'Votre rendez-vous est demain à 14h00 avec Dr. Dupont, salle 3. Répondez OUI pour confirmer ou NON pour annuler.',
		'Randevunuz yarın saat 14:00\'te. Onaylamak için EVET yazın. 😀',
		'a'.repeat(400),
		'{[~^|]} € '.repeat(30),
	];
	let k = 0;
	const ours = rate(() => countSegments(messages[k++ % messages.length]));
	k = 0;
	const twilio = rate(() => new SegmentedMessage(messages[k++ % messages.length]));
	row('Segment count, ours (messages/s)', fmt(ours));
	row("Segment count, Twilio's sms-segments-calculator (messages/s)", fmt(twilio));
	row('Segment count, ours ÷ calculator', `${(ours / twilio).toFixed(1)}×`);

	const phones = ['06 12 34 56 78', '(212) 555-0100', '+44 7911 123456', '0033 6 12 34 56 78', 'not a number'];
	k = 0;
	const describe = rate(() => describePhone(phones[k++ % phones.length], 'FR'));
	k = 0;
	const raw = rate(() => {
		const p = parsePhoneNumberFromString(phones[k++ % phones.length], 'FR');
		p?.isValid();
	});
	row('Phone describe (numbers/s)', fmt(describe));
	row('Phone describe ÷ bare libphonenumber parse+isValid', `${(describe / raw).toFixed(2)}×`);

	const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
	const body = 'Action=Publish&Version=2010-03-31&PhoneNumber=%2B33612345678&Message=Hello';
	const sigOurs = rate(() =>
		signAwsRequest({ method: 'POST', url: 'https://sns.us-east-1.amazonaws.com/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, region: 'us-east-1', service: 'sns', ...credentials }),
	);
	const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'sns', sha256: Sha256 });
	const smithyCount = 3000;
	const sigSmithy = await rateAsync(async () => {
		for (let i = 0; i < smithyCount; i++) {
			await signer.sign({ method: 'POST', protocol: 'https:', hostname: 'sns.us-east-1.amazonaws.com', path: '/', headers: { host: 'sns.us-east-1.amazonaws.com', 'content-type': 'application/x-www-form-urlencoded' }, body });
		}
	}, smithyCount);
	row('SigV4 signing, ours (requests/s)', fmt(sigOurs));
	row('SigV4 signing, ours ÷ @smithy/signature-v4', `${(sigOurs / sigSmithy).toFixed(1)}×`);

	// The nodes in n8n's engine against the sandbox over HTTP on this machine.
	const { startSandbox } = await import('../sandbox/server');
	const { Engine } = await import('../test/helpers/engine');
	const { sandboxCredentials } = await import('../test/helpers/credentials');
	const sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits: { snsPerSecond: 1e6, sinchPerSecond: 1e6 } });
	const engine = await Engine.load();
	for (const [type, data] of Object.entries(sandboxCredentials(sandbox))) engine.setCredentials(type, { ...data });
	const items = Array.from({ length: 500 }, (_, i) => ({ phone: `+336${String(10000000 + i)}`, name: `N${i}` }));
	for (const provider of ['twilio', 'sinch', 'sns']) {
		const perSecond = await rateAsync(async () => {
			const result = await engine.run(items, [
				{ type: 'sendSms', name: 'Send SMS', parameters: { operation: 'send', provider, to: '={{ $json.phone }}', message: '={{ "Hi " + $json.name }}', twilioFrom: 'ACME', sinchFrom: 'ACME' } },
			]);
			if (result.error()) throw result.error();
		}, items.length);
		row(`Send SMS in n8n's engine via ${provider} to the local sandbox, one request per item (messages/s)`, fmt(perSecond));
	}
	const many = Array.from({ length: 20000 }, (_, i) => ({ input: `06 12 ${String(i % 100).padStart(2, '0')} 56 78` }));
	const phoneNode = await rateAsync(async () => {
		await engine.run(many, [{ type: 'phoneNumber', name: 'Phone Number', parameters: { phoneNumber: '={{ $json.input }}', defaultCountry: 'FR' } }]);
	}, many.length);
	row("Phone Number node in n8n's engine (items/s)", fmt(phoneNode));
	await sandbox.stop();
	rmSync(String(process.env.N8N_USER_FOLDER), { recursive: true, force: true });

	console.log('\n| figure | value |\n|---|---|');
	console.log(lines.join('\n'));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
