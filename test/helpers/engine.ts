/**
 * Runs workflows in n8n's real engine: node and credential types come from this package's dist/ through
 * n8n-core's PackageDirectoryLoader, execution is n8n-core's WorkflowExecute, HTTP goes through n8n's
 * own request helpers. Credentials are applied the way n8n's server applies them: generic authentication
 * resolved as expressions, function authentication called, preAuthentication for expirable tokens.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ExecutionLifecycleHooks, LoadOptionsContext, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type INodeTypeDescription,
	type IRun,
	type IRunExecutionData,
	type ITaskData,
	type IWorkflowExecuteAdditionalData,
	type IConnections,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

export const PACKAGE = 'n8n-nodes-messaging-gateway';
let executionCounter = 0;
/** The package's root: the nearest folder above with this package's package.json (from test/ or build/test/). */
function packageRoot(): string {
	let dir = __dirname;
	while (dirname(dir) !== dir) {
		const file = join(dir, 'package.json');
		if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf-8')) as { name?: string }).name === PACKAGE) return dir;
		dir = dirname(dir);
	}
	throw new Error(`${PACKAGE}'s package.json not found above ${__dirname}`);
}
const ROOT = packageRoot();

/** Emits the items in its `items` parameter: the start of every test workflow. */
class ItemsSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Test input',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json' as const, default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

/** Sends the request in its `request` parameter with the credential named in `credentialType`, as n8n's Test button does. */
class CredentialProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Credential Probe',
		name: 'credentialProbe',
		group: ['output'],
		version: 1,
		description: 'Test helper',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: ['messagingTwilioApi', 'messagingSinchApi', 'messagingAwsSnsApi'].map((name) => ({ name, required: false })),
		properties: [
			{ displayName: 'Credential Type', name: 'credentialType', type: 'string', default: '' },
			{ displayName: 'Request', name: 'request', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const type = this.getNodeParameter('credentialType', 0) as string;
		const raw = this.getNodeParameter('request', 0) as string | IDataObject;
		const request = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IHttpRequestOptions;
		const response = (await this.helpers.httpRequestWithAuthentication.call(this, type, {
			...request,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		return [[{ json: { statusCode: response.statusCode, body: response.body as IDataObject } }]];
	}
}

type Generic = { type: 'generic'; properties: Record<string, Record<string, string>> };

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Map<string, ICredentialType>,
		readonly store: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const type = this.types.get(typeName);
		if (!type?.authenticate) return requestOptions;
		if (typeof type.authenticate === 'function') return await type.authenticate(credentials, requestOptions);
		const generic = type.authenticate as unknown as Generic;
		const out = { ...requestOptions } as unknown as Record<string, Record<string, unknown>>;
		for (const [outerKey, inner] of Object.entries(generic.properties)) {
			out[outerKey] = { ...(out[outerKey] ?? {}) };
			for (const [key, value] of Object.entries(inner)) {
				const resolve = (v: string) =>
					workflow.expression.getSimpleParameterValue(node, v, 'internal', { $credentials: credentials }, undefined, '');
				out[outerKey][String(resolve(key))] = resolve(value);
			}
		}
		return out as unknown as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types.get(typeName);
		if (!type?.preAuthentication) return undefined;
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable) return undefined;
		if (credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined && !credentialsExpired) return undefined;
		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		// n8n's server saves the refreshed value with the credential.
		this.store[typeName] = { ...this.store[typeName], ...output };
		this.preAuthentications++;
		return output;
	}

	preAuthentications = 0;

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getDecrypted(_a: IWorkflowExecuteAdditionalData, _n: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const data = this.store[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return { ...data };
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used');
	}

	async updateCredentials(_n: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		this.store[type] = data;
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties() {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getOAuth2Options() {
		return undefined;
	}
}

export interface RunResult {
	run: IRun;
	/** Output items of a node (first run, first output). */
	items(nodeName: string): INodeExecutionData[];
	/** The error a node stopped on, if any. */
	error(nodeName?: string): (Error & { description?: string; context?: IDataObject; httpCode?: string }) | undefined;
	task(nodeName: string): ITaskData | undefined;
}

/** What resuming a waiting run needs: its workflow, its additional data and its execution data (as n8n's DB keeps them). */
export interface EngineRunState {
	executionId: string;
	workflow: Workflow;
	additionalData: IWorkflowExecuteAdditionalData;
	runData: IRunExecutionData;
	nodes: INode[];
	connections: IConnections;
}

/** A RunResult for a run. */
export function runResult(run: IRun): RunResult {
	const task = (name: string) => run.data.resultData.runData[name]?.[0];
	return {
		run,
		task,
		items: (name) => task(name)?.data?.main?.[0] ?? [],
		error: (name) => (name ? task(name)?.error : run.data.resultData.error) as never,
	};
}

export class Engine {
	readonly credentials: Record<string, ICredentialDataDecryptedObject> = {};
	readonly helper: TestCredentialsHelper;

	private constructor(
		readonly nodeTypes: INodeTypes,
		readonly credentialTypes: Map<string, ICredentialType>,
		readonly loader: PackageDirectoryLoader,
	) {
		this.helper = new TestCredentialsHelper(credentialTypes, this.credentials);
	}

	static async load(): Promise<Engine> {
		if (!existsSync(join(ROOT, 'dist', 'nodes'))) throw new Error('dist/ is missing: run `npm run build` first');
		const loader = new PackageDirectoryLoader(ROOT);
		await loader.loadAll();
		const helpers: Record<string, INodeType> = { 'test.items': new ItemsSource(), 'test.credentialProbe': new CredentialProbe() };
		const find = (name: string) => helpers[name] ?? (loader.getNode(name.replace(`${PACKAGE}.`, '')).type as INodeType);
		const nodeTypes: INodeTypes = {
			getByName: find,
			getByNameAndVersion: find,
			getKnownTypes: () => ({}),
		};
		const credentialTypes = new Map<string, ICredentialType>();
		for (const name of Object.keys(loader.known.credentials)) credentialTypes.set(name, loader.getCredential(name).type);
		return new Engine(nodeTypes, credentialTypes, loader);
	}

	/**
	 * What a credential's Test button does: resolve the credential type's test request against the
	 * credential's values, and send it with the credential's authentication.
	 */
	async testCredential(type: string): Promise<{ statusCode: number; body: unknown }> {
		const credentialType = this.credentialTypes.get(type);
		const test = credentialType?.test?.request;
		if (!test) throw new Error(`${type} has no test request`);
		const probeNode: INode = { id: 'probe', name: 'Probe', type: 'test.credentialProbe', typeVersion: 1, position: [0, 0], parameters: {} };
		const workflow = new Workflow({ id: 'probe', nodes: [probeNode], connections: {}, nodeTypes: this.nodeTypes, active: false });
		const resolve = (value: unknown): unknown => {
			if (typeof value === 'string') {
				return workflow.expression.getSimpleParameterValue(probeNode, value, 'internal', { $credentials: this.credentials[type] }, undefined, '');
			}
			if (value && typeof value === 'object' && !Array.isArray(value)) {
				return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
			}
			return value;
		};
		const request = resolve(test) as IHttpRequestOptions;
		const result = await this.run([{}], [
			{ type: 'test.credentialProbe', name: 'Probe', parameters: { credentialType: type, request: JSON.stringify(request) } },
		]);
		const error = result.error('Probe');
		if (error) throw error;
		return result.items('Probe')[0].json as { statusCode: number; body: unknown };
	}

	setCredentials(type: string, data: ICredentialDataDecryptedObject): void {
		this.credentials[type] = data;
	}

	/**
	 * Run `items` through one node of this package, or through a chain of nodes.
	 * Node types are written without the package prefix ("sendSms").
	 */
	async run(
		items: IDataObject[],
		nodes: Array<Partial<INode> & { type: string; parameters: INode['parameters'] }>,
		/**
		 * The workflow's static data, kept by the caller from one run to the next as n8n keeps it for a workflow; and
		 * its ID: runs that give the same one are executions of one workflow in this process (each run is a workflow
		 * of its own otherwise, so that nothing a run keeps per workflow reaches the next).
		 */
		options: {
			staticData?: IDataObject;
			workflowId?: string;
			/** Given the execution's cancel (as n8n's Stop button and timeouts do) once it has started. */
			onStarted?: (cancel: () => void) => void;
			/** The whole run's result only once the nodes have returned, even after a cancel (n8n reports a canceled run at once). */
			waitForNodes?: boolean;
			/**
			 * Where `$execution.resumeUrl` points (n8n's /webhook-waiting/), and what a harness needs to resume the run
			 * later (test/helpers/waiting.ts). The run gets a resume token, as every n8n execution does.
			 */
			waiting?: { baseUrl: string; keep(run: EngineRunState): void };
		} = {},
	): Promise<RunResult> {
		const source: INode = {
			id: 'items',
			name: 'Items',
			type: 'test.items',
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(items) },
		};
		const chain: INode[] = nodes.map((n, i) => ({
			id: `node-${i}`,
			name: n.name ?? `Node ${i + 1}`,
			typeVersion: 1,
			position: [200 * (i + 1), 0],
			credentials: Object.fromEntries(
				Object.keys(this.credentials).map((type) => [type, { id: type, name: type }]),
			),
			...n,
			type: n.type.includes('.') ? n.type : `${PACKAGE}.${n.type}`,
		}));
		const all = [source, ...chain];
		const connections: IConnections = {};
		for (let i = 0; i < all.length - 1; i++) {
			connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }]] };
		}
		const workflow = new Workflow({ id: options.workflowId ?? `test-workflow-${executionCounter + 1}`, nodes: all, connections, nodeTypes: this.nodeTypes, active: false, settings: { executionOrder: 'v1' }, staticData: options.staticData });
		// Each run is its own execution, with its own ID, as in n8n.
		const executionId = `test-execution-${++executionCounter}`;
		const hooks = new ExecutionLifecycleHooks('manual', executionId, { id: 'test', name: 'test', nodes: all, connections, active: false, settings: {}, createdAt: new Date(), updatedAt: new Date(), isArchived: false, activeVersionId: null } as never);
		let finished: (run: IRun) => void = () => undefined;
		const done = new Promise<IRun>((resolve) => (finished = resolve));
		hooks.addHandler('workflowExecuteAfter', (run) => finished(run));
		const additionalData = {
			hooks,
			credentialsHelper: this.helper,
			currentNodeParameters: undefined,
			executeWorkflow: async () => {
				throw new Error('not supported in tests');
			},
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: options.waiting?.baseUrl ?? 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			variables: {},
			userId: 'test-user',
			executionId,
		} as unknown as IWorkflowExecuteAdditionalData;
		const runData: IRunExecutionData = {
			resultData: { runData: {} },
			executionData: {
				metadata: {},
				contextData: {},
				waitingExecution: {},
				waitingExecutionSource: null,
				nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }],
			},
		} as unknown as IRunExecutionData;
		if (options.waiting) {
			// Every n8n execution has one (run-execution-data-factory): $execution.resumeUrl carries it.
			(runData as { resumeToken?: string }).resumeToken = randomBytes(32).toString('hex');
			options.waiting.keep({ executionId, workflow, additionalData, runData, nodes: all, connections });
		}
		const execute = new WorkflowExecute(additionalData, 'manual', runData);
		const running = execute.processRunExecutionData(workflow);
		options.onStarted?.(() => running.cancel());
		const settled = await running;
		const run = options.waitForNodes && settled ? settled : await done;
		const task = (name: string) => run.data.resultData.runData[name]?.[0];
		return {
			run,
			task,
			items: (name) => task(name)?.data?.main?.[0] ?? [],
			error: (name) => (name ? task(name)?.error : run.data.resultData.error) as never,
		};
	}

	/**
	 * What the editor asks a node while someone fills it in (a searchable list, a resource mapper's fields): the node's
	 * `methods` called with n8n-core's own LoadOptionsContext for a node with these parameters and this engine's credentials.
	 */
	async editorMethod<T>(type: string, parameters: INode['parameters'], call: (methods: NonNullable<INodeType['methods']>, fns: ILoadOptionsFunctions) => Promise<T>): Promise<T> {
		const nodeType = this.nodeTypes.getByName(`${PACKAGE}.${type}`) as INodeType;
		const node: INode = {
			id: 'editor',
			name: 'Editor',
			type: `${PACKAGE}.${type}`,
			typeVersion: 1,
			position: [0, 0],
			parameters,
			credentials: Object.fromEntries(Object.keys(this.credentials).map((credentialType) => [credentialType, { id: credentialType, name: credentialType }])),
		};
		const workflow = new Workflow({ id: 'editor', nodes: [node], connections: {}, nodeTypes: this.nodeTypes, active: false });
		const additionalData = { credentialsHelper: this.helper, currentNodeParameters: parameters, restApiUrl: 'http://127.0.0.1/rest', instanceBaseUrl: 'http://127.0.0.1/', variables: {}, userId: 'test-user' } as unknown as IWorkflowExecuteAdditionalData;
		const fns = new LoadOptionsContext(workflow, node, additionalData, '');
		return await call(nodeType.methods ?? {}, fns);
	}
}
