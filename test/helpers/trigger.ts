/**
 * A trigger node in n8n's real contexts: its lifecycle methods called with n8n-core's HookContext, its webhook()
 * with n8n-core's WebhookContext, on a real HTTP server with express (n8n's own web framework), the body read the
 * way n8n's body parser reads it (rawBody kept, form and JSON parsed), and n8n's rules for what webhook() returns
 * (its own response written, or n8n's default answer). What would start an execution is recorded.
 */
import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { PACKAGE, type Engine } from './engine';

/** n8n's body parser: the raw bytes kept as req.rawBody, form and JSON bodies parsed into req.body. */
export function n8nBodyParser(limit: string): [ReturnType<typeof express.raw>, (req: Request, res: Response, next: () => void) => void] {
	return [
		express.raw({ type: () => true, limit }),
		(req, _res, next) => {
			const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
			const type = String(req.headers['content-type'] ?? '');
			Object.assign(req, { rawBody: raw, readRawBody: async () => undefined });
			try {
				req.body = type.includes('json') ? JSON.parse(raw.toString('utf-8') || '{}') : type.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw.toString('utf-8'))) : {};
			} catch {
				req.body = {};
			}
			next();
		},
	];
}

export interface Execution {
	items: IDataObject[];
}

export class TriggerHarness {
	readonly node: INode;
	readonly workflow: Workflow;
	/** Executions webhook() started, in order. */
	readonly executions: Execution[] = [];
	private server: Server | undefined;
	private base = '';
	/** Test mode ("Listen for test event"): webhook-test URLs and test static data. */
	test = false;

	constructor(
		private readonly engine: Engine,
		parameters: INode['parameters'],
		private readonly type = 'messagingTrigger',
	) {
		this.node = {
			id: 'trigger',
			name: 'Messaging Trigger',
			type: `${PACKAGE}.${type}`,
			typeVersion: 1,
			position: [0, 0],
			webhookId: 'a1b2c3d4-0000-4000-8000-00000000beef',
			parameters,
			credentials: Object.fromEntries(Object.keys(engine.credentials).map((t) => [t, { id: t, name: t }])),
		};
		this.workflow = new Workflow({ id: 'trigger-test', nodes: [this.node], connections: {}, nodeTypes: engine.nodeTypes, active: true, staticData: {} });
	}

	get nodeType(): INodeType {
		return this.engine.nodeTypes.getByNameAndVersion(this.node.type, 1);
	}

	/** The node's static data (production or test, as n8n keeps them apart). */
	get staticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node);
	}

	/** The URL the trigger is reached at: production /webhook/… or test /webhook-test/…. */
	get url(): string {
		return `${this.base}/${this.test ? 'webhook-test' : 'webhook'}/${this.node.webhookId}/messaging`;
	}

	private additionalData(extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
		return {
			credentialsHelper: this.engine.helper,
			restApiUrl: `${this.base}/rest`,
			instanceBaseUrl: `${this.base}/`,
			webhookBaseUrl: `${this.base}/webhook`,
			webhookTestBaseUrl: `${this.base}/webhook-test`,
			webhookWaitingBaseUrl: `${this.base}/webhook-waiting`,
			formWaitingBaseUrl: `${this.base}/form-waiting`,
			variables: {},
			userId: 'test-user',
			executionId: undefined,
			...extra,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	private webhookData(): IWebhookData {
		const description = this.nodeType.description.webhooks![0];
		return {
			httpMethod: 'POST',
			node: this.node.name,
			path: `${this.node.webhookId}/messaging`,
			webhookDescription: description,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: this.additionalData(),
			isTest: this.test,
		} as IWebhookData;
	}

	private mode(): WorkflowExecuteMode {
		return this.test ? 'manual' : 'trigger';
	}

	/** Run a lifecycle method as n8n does on activation (or when listening for a test event). */
	async lifecycle(method: 'checkExists' | 'create' | 'delete', activation: WorkflowActivateMode = 'activate'): Promise<boolean> {
		const hook = this.nodeType.webhookMethods?.default?.[method];
		if (!hook) throw new Error(`${this.type} has no webhook method ${method}`);
		const context = new HookContext(this.workflow, this.node, this.additionalData(), this.mode(), this.test ? 'manual' : activation, this.webhookData());
		return await hook.call(context);
	}

	/** What n8n runs on activation: checkExists, then create when it says no. */
	async activate(): Promise<void> {
		if (!(await this.lifecycle('checkExists'))) await this.lifecycle('create');
	}

	/** Start the HTTP server the provider (the sandbox) posts to. */
	async listen(): Promise<void> {
		const app = express();
		app.disable('x-powered-by');
		app.use(...n8nBodyParser('16mb'));
		app.all('/:kind/:webhookId/messaging', (req, res) => {
			void this.serve(req, res);
		});
		await new Promise<void>((resolve) => {
			this.server = app.listen(0, '127.0.0.1', () => resolve());
		});
		this.base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	private async serve(req: Request, res: Response): Promise<void> {
		const context = new WebhookContext(this.workflow, this.node, this.additionalData({ httpRequest: req, httpResponse: res } as never), this.mode(), this.webhookData(), [], null);
		let result: IWebhookResponseData;
		try {
			result = await this.nodeType.webhook!.call(context);
		} catch (error) {
			// n8n answers a webhook() that throws with 500 and its message.
			res.status(500).json({ code: 0, message: (error as Error).message });
			return;
		}
		if (result.workflowData) this.executions.push({ items: (result.workflowData[0] as INodeExecutionData[]).map((item) => item.json) });
		if (result.noWebhookResponse) return;
		// n8n's answer when the node wrote none: onReceived's default.
		if (!res.headersSent) res.status(200).json({ message: 'Webhook call received' });
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
		this.server = undefined;
	}
}
