/**
 * The child process of test/helpers/engineWorker.ts: loads the engine, takes the credentials from the first line on
 * stdin, then runs each request line and writes its answer as a line on stdout. It exits when stdin ends.
 */
import { createInterface } from 'node:readline';
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';
import { Engine } from './engine';

interface Request {
	id: number;
	items: IDataObject[];
	nodes: Array<Partial<INode> & { type: string; parameters: INode['parameters'] }>;
	name: string;
	workflowId: string | null;
}

const answer = (message: unknown): void => {
	process.stdout.write(`${JSON.stringify(message)}\n`);
};

async function main(): Promise<void> {
	const engine = await Engine.load();
	const lines = createInterface({ input: process.stdin });
	let first = true;
	const runs: Array<Promise<void>> = [];
	for await (const line of lines) {
		if (first) {
			first = false;
			const { credentials } = JSON.parse(line) as { credentials: Record<string, ICredentialDataDecryptedObject> };
			for (const [type, data] of Object.entries(credentials)) engine.setCredentials(type, data);
			answer({ ready: true });
			continue;
		}
		const request = JSON.parse(line) as Request;
		runs.push(
			(async () => {
				const startedAt = Date.now();
				const result = await engine.run(request.items, request.nodes, request.workflowId ? { workflowId: request.workflowId } : {});
				const outputs = (result.task(request.name)?.data?.main ?? []).map((output) => (output ?? []).map((item) => item.json));
				const error = result.error();
				answer({ id: request.id, outputs, error: error ? { message: error.message, description: error.description } : undefined, startedAt, endedAt: Date.now() });
			})().catch((error: unknown) => answer({ id: request.id, outputs: [], error: { message: String(error) }, startedAt: 0, endedAt: 0 })),
		);
	}
	await Promise.all(runs);
	process.exit(0);
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
