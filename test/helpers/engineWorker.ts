/**
 * A second n8n process for engine tests: n8n's real WorkflowExecute (test/helpers/engine.ts) in a child process of
 * its own, loading the package's dist/ as this one does, with the same credentials. It stands for another queue-mode
 * worker: no memory shared with this process (its own rate budgets, sent-ledger and Redis owner), only what both
 * reach over the network (the sandbox, Redis).
 *
 * The child (test/helpers/engineWorkerMain.ts, compiled as it loads) reads one JSON request a line on stdin and
 * answers one a line on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';

export interface WorkerRun {
	/** The JSON of each output of the node named, as RunResult.items would give (output 0, 1…). */
	outputs: IDataObject[][];
	/** The error the run stopped on, if any. */
	error?: { message: string; description?: string };
	/** When the run was started and ended in the child (Date.now()). */
	startedAt: number;
	endedAt: number;
}

export interface EngineWorker {
	/** Runs `items` through `nodes` in the child; `name` is the node whose outputs come back. */
	run(items: IDataObject[], nodes: Array<Partial<INode> & { type: string; parameters: INode['parameters'] }>, name: string, options?: { workflowId?: string }): Promise<WorkerRun>;
	stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');

/** Starts the child and waits until its engine is loaded. */
export async function startEngineWorker(credentials: Record<string, ICredentialDataDecryptedObject>): Promise<EngineWorker> {
	const hook = `require.extensions['.ts'] = (m, f) => m._compile(require('typescript').transpileModule(require('fs').readFileSync(f, 'utf8'), { compilerOptions: { module: 1, target: 9, esModuleInterop: true } }).outputText, f);`;
	const child: ChildProcess = spawn(process.execPath, ['-e', `${hook} require(${JSON.stringify(resolve(__dirname, 'engineWorkerMain.ts'))});`], {
		cwd: ROOT,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
	const waiting = new Map<number, (answer: IDataObject) => void>();
	let ready!: () => void;
	let failed!: (error: Error) => void;
	const loaded = new Promise<void>((resolveLoaded, rejectLoaded) => {
		ready = resolveLoaded;
		failed = rejectLoaded;
	});
	let buffer = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		buffer += chunk.toString();
		for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
			const line = buffer.slice(0, end);
			buffer = buffer.slice(end + 1);
			let message: IDataObject;
			try {
				message = JSON.parse(line) as IDataObject;
			} catch {
				continue;
			}
			if (message.ready) ready();
			else if (typeof message.id === 'number') waiting.get(message.id)?.(message);
		}
	});
	const exited = new Promise<void>((done) =>
		child.once('exit', (code, signal) => {
			const error = new Error(`the engine worker exited (${signal ?? code}):\n${stderr}`);
			failed(error);
			for (const answer of waiting.values()) answer({ crashed: error.message });
			done();
		}),
	);
	const send = (message: IDataObject) => child.stdin?.write(`${JSON.stringify(message)}\n`);
	send({ credentials: credentials as unknown as IDataObject });
	await loaded;
	let ids = 0;
	return {
		async run(items, nodes, name, options = {}) {
			const id = ++ids;
			const answer = await new Promise<IDataObject>((done) => {
				waiting.set(id, done);
				send({ id, items, nodes: nodes as unknown as IDataObject[], name, workflowId: options.workflowId ?? null });
			});
			waiting.delete(id);
			if (answer.crashed) throw new Error(String(answer.crashed));
			return answer as unknown as WorkerRun;
		},
		async stop() {
			child.stdin?.end();
			const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		},
	};
}
