/**
 * The sandbox in a process of its own, for figures that the benchmark's own work must not disturb: arrival times
 * stamped by a process that does nothing else, and memory that is not the node's. Started with `fork`; says where
 * it listens (and its accounts) over IPC, answers "messages" with what it stored, and stops on "stop".
 */
import { startSandbox, type Sandbox } from '../sandbox/server';

interface Ask {
	kind: 'messages' | 'requests' | 'reset' | 'stop';
	id: number;
}

async function main() {
	const limits = JSON.parse(process.argv[2] ?? '{}') as Record<string, number>;
	const sandbox: Sandbox = await startSandbox({ port: 0, timeScale: 0.01, limits });
	const send = (message: unknown) => process.send?.(message);
	send({ kind: 'ready', url: sandbox.url, accounts: sandbox.accounts });
	process.on('message', (ask: Ask) => {
		if (ask.kind === 'messages') {
			const messages = [...sandbox.messages.values()].map((m) => ({ provider: m.provider, to: m.to, body: m.body, createdAt: m.createdAt, arrivedAt: (m as { arrivedAt?: number }).arrivedAt }));
			send({ id: ask.id, messages });
		} else if (ask.kind === 'requests') {
			send({ id: ask.id, requests: sandbox.requests.map((r) => ({ provider: r.provider, method: r.method, recipients: r.recipients.length })) });
		} else if (ask.kind === 'reset') {
			sandbox.reset();
			send({ id: ask.id });
		} else if (ask.kind === 'stop') {
			void sandbox.stop().then(() => process.exit(0));
		}
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
