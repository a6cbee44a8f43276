/**
 * Waiting executions as n8n's server handles them, for engine tests of send and wait: a run that ends waiting is kept
 * (as n8n keeps it in its DB), and `/webhook-waiting/:executionId` does what n8n 2.41's WaitingWebhooks does for a
 * token URL (n8n/dist/webhooks/waiting-webhooks.js): the `signature` must equal the execution's resume token (401
 * otherwise), a running or finished execution gets 409, the waiting node's restart webhook for the method runs with
 * n8n-core's WebhookContext, and when it returns workflowData the run resumes: the node disabled, its input replaced by
 * that data with every output forwarded, its pre-wait run popped (webhook-helpers.js prepareExecutionData,
 * workflow-helpers.js preserveInputOverride). `timeOut()` is n8n's WaitTracker: the run resumes with the node's
 * original input (workflow-execute.js handleWaitingState).
 */
import express, { type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { dirname } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionLifecycleHooks, InstanceSettings, validateUrlSignature, WebhookContext, WorkflowExecute } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, INodeType, IRun, IWebhookData, IWebhookResponseData, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { runResult, type Engine, type EngineRunState, type RunResult } from './engine';
import { n8nBodyParser } from './trigger';

type Status = 'running' | 'waiting' | 'success' | 'error' | 'canceled';

interface Kept extends EngineRunState {
	status: Status;
	/** Resolves with the run once it ends (not waiting). */
	ended: Promise<RunResult>;
	end(result: RunResult): void;
	/** Requests to the resume URL, as they were answered; `resumed` when the node's webhook() gave data to resume with. */
	requests: Array<{ method: string; status: number; resumed?: boolean }>;
}

/**
 * The HMAC secret n8n signs resume links with: n8n-core's InstanceSettings, from the dependency-injection container
 * n8n-core itself uses (it has its own copy of @n8n/di).
 */
function hmacSecret(): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the copy n8n-core resolves, not ours
	const di = require(require.resolve('@n8n/di', { paths: [dirname(require.resolve('n8n-core'))] })) as { Container: { get<T>(type: new (...args: never[]) => T): T } };
	return di.Container.get(InstanceSettings).hmacSignatureSecret;
}

export interface WaitingRun {
	executionId: string;
	/** The first run's result (waiting, or finished when the node did not wait). */
	first: RunResult;
	/** n8n's resume URL for it, with the token. */
	resumeUrl: string;
	waitTill: Date | undefined;
}

export class WaitingExecutions {
	private server: Server | undefined;
	private base = '';
	private readonly runs = new Map<string, Kept>();

	constructor(private readonly engine: Engine) {}

	get baseUrl(): string {
		return `${this.base}/webhook-waiting`;
	}

	async listen(): Promise<void> {
		const app = express();
		app.disable('x-powered-by');
		app.use(...n8nBodyParser('1mb'));
		const serve = (req: Request, res: Response) => {
			this.serve(req, res).catch((error: unknown) => {
				if (!res.headersSent) res.status(500).json({ message: (error as Error).message });
			});
		};
		app.all('/webhook-waiting/:executionId', serve);
		app.all('/webhook-waiting/:executionId/:suffix', serve);
		await new Promise<void>((resolve) => {
			this.server = app.listen(0, '127.0.0.1', () => resolve());
		});
		this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
		this.server = undefined;
	}

	/** Run the nodes; the run is kept for resuming when it ends waiting. */
	async start(items: IDataObject[], nodes: Parameters<Engine['run']>[1], options: Omit<NonNullable<Parameters<Engine['run']>[2]>, 'waiting'> = {}): Promise<WaitingRun> {
		let entry: Kept | undefined;
		let end: (result: RunResult) => void = () => undefined;
		const ended = new Promise<RunResult>((resolve) => (end = resolve));
		// Known (and running) from the start, as n8n saves an execution before it runs it: a resume request that comes
		// while the node is still sending gets 409 "running already".
		const keep = (state: EngineRunState) => {
			entry = { ...state, status: 'running', ended, end, requests: [] };
			this.runs.set(state.executionId, entry);
		};
		const first = await this.engine.run(items, nodes, { ...options, waiting: { baseUrl: this.baseUrl, keep } });
		const kept = entry as Kept;
		const waiting = first.run.status === 'waiting' || first.run.waitTill !== undefined;
		kept.runData = first.run.data;
		kept.status = waiting ? 'waiting' : first.run.data.resultData.error ? 'error' : 'success';
		if (!waiting) end(first);
		const token = (first.run.data as { resumeToken?: string }).resumeToken;
		return { executionId: kept.executionId, first, resumeUrl: `${this.baseUrl}/${kept.executionId}?signature=${token}`, waitTill: first.run.waitTill ?? undefined };
	}

	/** Hold a waiting execution as "running" for a while (n8n still saving it): its resume URL answers 409 meanwhile. */
	busy(executionId: string, ms: number): void {
		const run = this.runs.get(executionId);
		if (!run || run.status !== 'waiting') throw new Error(`execution ${executionId} is not waiting`);
		run.status = 'running';
		setTimeout(() => {
			if (run.status === 'running') run.status = 'waiting';
		}, ms);
	}

	/** Mark a waiting execution as stopped (someone pressed Stop in n8n): n8n then answers its resume URL with 409. */
	stop(executionId: string): void {
		const run = this.runs.get(executionId);
		if (run) run.status = 'canceled';
	}

	status(executionId: string): Status | undefined {
		return this.runs.get(executionId)?.status;
	}

	/** The requests its resume URL got, in order, as answered (a webhook() that gave data to resume with says `resumed`). */
	requests(executionId: string): Array<{ method: string; status: number; resumed?: boolean }> {
		return [...(this.runs.get(executionId)?.requests ?? [])];
	}

	/** Resolves when the execution has ended (resumed and run to its end). */
	async ended(executionId: string): Promise<RunResult> {
		const run = this.runs.get(executionId);
		if (!run) throw new Error(`no execution ${executionId}`);
		return await run.ended;
	}

	/** n8n's WaitTracker at waitTill: the waiting node forwards its original input. */
	async timeOut(executionId: string): Promise<RunResult> {
		const run = this.runs.get(executionId);
		if (!run || run.status !== 'waiting') throw new Error(`execution ${executionId} is not waiting`);
		run.status = 'running';
		const result = await this.continue(run);
		return result;
	}

	private async continue(run: Kept): Promise<RunResult> {
		const hooks = new ExecutionLifecycleHooks('manual', run.executionId, { id: run.workflow.id, name: 'test', nodes: run.nodes, connections: run.connections, active: false, settings: {}, createdAt: new Date(), updatedAt: new Date(), isArchived: false, activeVersionId: null } as never);
		const additionalData = { ...run.additionalData, hooks } as IWorkflowExecuteAdditionalData;
		const execute = new WorkflowExecute(additionalData, 'manual', run.runData);
		const ran = (await execute.processRunExecutionData(run.workflow)) as IRun;
		const result = runResult(ran);
		run.runData = ran.data;
		if (ran.status === 'waiting' || ran.waitTill) {
			run.status = 'waiting';
		} else {
			run.status = ran.data.resultData.error ? 'error' : 'success';
			run.end(result);
		}
		return result;
	}

	private async serve(req: Request, res: Response): Promise<void> {
		const executionId = String(req.params.executionId);
		const run = this.runs.get(executionId);
		if (!run) {
			res.status(404).json({ message: `The execution "${executionId}" does not exist.` });
			return;
		}
		const answered = (status: number) => run.requests.push({ method: req.method, status });
		const suffix = req.params.suffix === undefined ? undefined : String(req.params.suffix);
		const token = String(req.query.signature ?? '');
		// A suffix naming a node whose operation is sendAndWait: n8n's signed link (an HMAC of the path and query).
		const sendAndWait = suffix !== undefined && run.nodes.some((n) => n.id === suffix && n.parameters.operation === 'sendAndWait');
		if (sendAndWait) {
			const url = new URL(req.originalUrl, 'http://127.0.0.1');
			if (!token || !validateUrlSignature(token, url, hmacSecret())) {
				answered(401);
				res.status(401).type('text/html').send('<p>form-invalid-token</p>');
				return;
			}
		} else {
			const stored = (run.runData as { resumeToken?: string }).resumeToken ?? '';
			if (!token || token.length !== stored.length || !timingSafeEqual(Buffer.from(token), Buffer.from(stored))) {
				answered(401);
				res.status(401).json({ error: 'Invalid token' });
				return;
			}
		}
		if (run.status === 'running') {
			answered(409);
			res.status(409).json({ message: `The execution "${executionId}" is running already.` });
			return;
		}
		if (run.status !== 'waiting' && sendAndWait) {
			// n8n renders its "send-and-wait-no-action-required" page for a finished execution's signed link.
			answered(200);
			res.status(200).type('text/html').send('<p>send-and-wait-no-action-required</p>');
			return;
		}
		if (run.status !== 'waiting') {
			answered(409);
			res.status(409).json({ message: `The execution "${executionId} has finished already.` });
			return;
		}
		const nodeName = run.runData.resultData.lastNodeExecuted as string;
		const node = run.workflow.getNode(nodeName) as INode;
		const nodeType = this.engine.nodeTypes.getByNameAndVersion(node.type, node.typeVersion) as INodeType;
		// n8n evaluates each restart webhook's path (`={{ $nodeId }}` is the node's ID) and matches it with the suffix.
		const pathOf = (path: string | undefined) => (path === '={{ $nodeId }}' ? node.id : (path ?? ''));
		const description = nodeType.description.webhooks?.find((w) => w.httpMethod === req.method && pathOf(w.path as string | undefined) === (suffix ?? '') && w.restartWebhook === true);
		if (!description || !nodeType.webhook) {
			answered(404);
			res.status(404).json({ message: `The workflow for execution "${executionId}" does not contain a waiting webhook with a matching path/method.` });
			return;
		}
		const webhookData = { httpMethod: req.method, node: nodeName, path: suffix ?? '', webhookDescription: description, workflowId: run.workflow.id, workflowExecuteAdditionalData: run.additionalData, isTest: false } as unknown as IWebhookData;
		const context = new WebhookContext(run.workflow, node, { ...run.additionalData, httpRequest: req, httpResponse: res } as never, 'manual', webhookData, [], run.runData);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook.call(context);
		} catch (error) {
			answered(500);
			res.status(500).json({ code: 0, message: (error as Error).message });
			return;
		}
		answered(res.statusCode);
		if (result.workflowData) run.requests[run.requests.length - 1].resumed = true;
		if (!result.noWebhookResponse && !res.headersSent) res.status(200).json({ message: 'Workflow was started' });
		if (!result.workflowData) return;
		// n8n claims the execution atomically (expectedStatus 'waiting'): a second resume loses.
		if (run.status !== 'waiting') return;
		run.status = 'running';
		const stack = run.runData.executionData!.nodeExecutionStack;
		stack[0].node.disabled = true;
		stack[0].data = { main: result.workflowData as INodeExecutionData[][] };
		stack[0].metadata = { ...stack[0].metadata, forwardAllOutputs: true };
		run.runData.waitTill = undefined;
		run.runData.resultData.runData[nodeName]?.pop();
		void this.continue(run);
	}
}
