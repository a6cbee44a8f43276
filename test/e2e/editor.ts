/** The editor, driven in headless Chromium (Debian's chromium, through playwright-core). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { EXAMPLES_DIR, OWNER } from '../../scripts/n8nServer';

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];

/** Headless Chromium with the flags above for `use`, closed after it (pages outside the editor: the sandbox's phones, an answer page). */
export async function withBrowser<T>(use: (browser: Browser) => Promise<T>): Promise<T> {
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
	try {
		return await use(browser);
	} finally {
		await browser.close();
	}
}

async function labels(page: Page): Promise<string[]> {
	return page.$$eval('[data-test-id="ndv"] [data-test-id="node-parameters"] label', (els) =>
		els.map((e) => (e as unknown as { innerText: string }).innerText.split('\n')[0].trim()).filter(Boolean),
	);
}

/** The choices of the Options collection's "Add Option" list, as a person sees them. */
async function addOptionChoices(page: Page): Promise<string[]> {
	const add = page.locator('[data-test-id="ndv"] [data-test-id="collection-parameter-add"]').first();
	await add.scrollIntoViewIfNeeded({ timeout: 5000 });
	await add.click();
	await page.waitForTimeout(500);
	const choices = await page.$$eval('[data-test-id="collection-parameter-option"]', (els) => els.map((e) => (e as unknown as { textContent: string }).textContent.trim()));
	await page.keyboard.press('Escape');
	await page.waitForTimeout(200);
	return choices.filter(Boolean);
}

async function choose(page: Page, parameter: string, option: string): Promise<void> {
	await page.click(`[data-test-id="parameter-input-${parameter}"]`);
	// An option's accessible name includes its description: match its name at the start.
	await page.getByRole('option', { name: new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first().click();
	await page.waitForTimeout(800);
}

async function openCanvas(page: Page, url: string, id: string): Promise<string[]> {
	await page.goto(`${url}/workflow/${id}`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
	await page.waitForTimeout(500);
	// n8n's "Production Checklist" card covers the canvas in screenshots; it may come a moment after the nodes. Its
	// close control is a link, data-test-id="suggested-actions-close" (n8n 2.41).
	const close = page.locator('[data-test-id="suggested-actions-close"]').first();
	await close.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
	if ((await close.count()) > 0) {
		await close.click({ timeout: 2000 }).catch(() => undefined);
		await close.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
	}
	return page.$$eval('[data-test-id="canvas-node"]', (els) => els.map((e) => e.getAttribute('data-node-name') ?? ''));
}

const STICKY_NOTE = 'n8n-nodes-base.stickyNote';

async function signIn(browser: Browser, url: string): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	await page.goto(`${url}/signin`);
	await page.fill('input#emailOrLdapLoginId', OWNER.email);
	await page.fill('input#password', OWNER.password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((u) => !u.pathname.includes('signin'), { timeout: 30_000 });
	return page;
}

export async function runEditorChecks(
	url: string,
	screenshots: string,
	workflows: Array<{ id: string; name: string; file: string }>,
): Promise<void> {
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
	try {
		const page = await signIn(browser, url);

		// Each example workflow opens with all its nodes on the canvas (sticky notes are drawn, but not as nodes).
		for (const workflow of workflows) {
			const file = JSON.parse(readFileSync(join(EXAMPLES_DIR, workflow.file), 'utf-8')) as { nodes: Array<{ name: string; type: string }> };
			const names = await openCanvas(page, url, workflow.id);
			expect(names.sort()).toEqual(file.nodes.filter((n) => n.type !== STICKY_NOTE).map((n) => n.name).sort());
			await page.screenshot({ path: join(screenshots, `workflow-${workflow.file.replace('.json', '')}.png`) });
		}

		// Our nodes are found in the node panel by their names and by the words people type, near the top.
		await openCanvas(page, url, 'gwExFallback0001');
		await page.click('[data-test-id="node-creator-plus-button"]');
		// [words, nodes expected, how near the top]. "SMS" is an alias of several SMS nodes n8n ships (Twilio, Vonage…),
		// which tie with ours in n8n's scoring, so ours come among them.
		const searches: Array<[string, string[], number]> = [
			['Send SMS', ['Send SMS'], 1],
			['Phone Number', ['Phone Number'], 1],
			['SMS', ['Send SMS', 'Phone Number'], 6],
			['text message', ['Send SMS'], 3],
			['send text', ['Send SMS'], 3],
			['notification', ['Send SMS'], 3],
			['reminder', ['Send SMS'], 3],
			['AWS SNS', ['Send SMS'], 3],
			['validate phone', ['Phone Number'], 3],
			['Phone Verification', ['Phone Verification'], 1],
			['one-time code', ['Phone Verification'], 3],
			['verification code', ['Phone Verification'], 3],
			['OTP', ['Phone Verification'], 5],
			// n8n lists a trigger under its name without "Trigger" in the node panel.
			['Messaging Trigger', ['Messaging'], 1],
			['inbound', ['Messaging'], 3],
			['delivery', ['Messaging'], 3],
			['inbound SMS', ['Messaging'], 3],
			['opt-out', ['Messaging'], 3],
			// n8n ships its own WhatsApp Business Cloud node, which ties with ours on the word.
			['Send WhatsApp', ['Send WhatsApp'], 1],
			['WhatsApp', ['Send WhatsApp'], 4],
			['WhatsApp template', ['Send WhatsApp'], 3],
			// n8n ships a dozen send-and-wait nodes with the alias "approval" (Gmail, Telegram, Slack…): ours are among them.
			['approval', ['Send SMS', 'Send WhatsApp'], 20],
		];
		const found: Record<string, string[]> = {};
		for (const [words, expected, within] of searches) {
			const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
			await search.fill(words);
			await page.waitForTimeout(800);
			const items = await page.$$eval('[data-test-id="item-iterator-item"]', (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.split('\n')[0]));
			found[words] = items.slice(0, Math.max(8, within));
			for (const name of expected) expect({ words, top: items.slice(0, within).includes(name) ? name : items.slice(0, 8) }).toEqual({ words, top: name });
			if (words === 'SMS') await page.screenshot({ path: join(screenshots, 'node-panel-sms.png') });
		}
		console.log('node panel searches:', JSON.stringify(found));
		await page.keyboard.press('Escape');

		// Send SMS renders its parameters; the provider switch changes the credential slots and the options.
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Send alert"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const twilioSns = await labels(page);
		for (const label of ['Operation', 'Provider', 'To', 'Message', 'Default Country', 'Twilio From', 'AWS SNS SMS Type', 'AWS SNS Sender ID', 'Options']) {
			expect(twilioSns).toContain(label);
		}
		expect(twilioSns).not.toContain('Sinch From');
		expect(await page.locator('[data-test-id="node-credentials-select"]').count()).toBe(2);
		// Each credential box names its provider.
		const ndvText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(ndvText).toContain('Twilio Credential');
		expect(ndvText).toContain('AWS SNS Credential');
		// The Docs link keeps its anchor.
		const docs = await page.$$eval('[data-test-id="ndv"] a[href*="npmjs.com"]', (els) => els.map((e) => e.getAttribute('href')));
		expect(docs).toContain('https://www.npmjs.com/package/n8n-nodes-messaging-gateway#send-sms');
		await page.screenshot({ path: join(screenshots, 'send-sms-twilio-then-sns.png') });

		await page.click('[data-test-id="parameter-input-provider"]');
		await page.getByRole('option', { name: 'Sinch', exact: true }).click();
		await page.waitForTimeout(800);
		const sinch = await labels(page);
		expect(sinch).toContain('Sinch From');
		expect(sinch).not.toContain('Twilio From');
		expect(sinch).not.toContain('AWS SNS Sender ID');
		expect(await page.locator('[data-test-id="node-credentials-select"]').count()).toBe(1);
		expect(await page.locator('[data-test-id="ndv"]').innerText()).toContain('Sinch Credential');
		await page.screenshot({ path: join(screenshots, 'send-sms-sinch.png') });

		// Options appear only where they work.
		const offered: Record<string, string[]> = {};
		offered.sinch = await addOptionChoices(page);
		await choose(page, 'provider', 'Twilio');
		await choose(page, 'twilioSenderType', 'Phone Number or Sender ID');
		offered.twilioNumber = await addOptionChoices(page);
		await choose(page, 'twilioSenderType', 'Messaging Service');
		offered.twilioService = await addOptionChoices(page);
		await choose(page, 'provider', 'AWS SNS');
		offered.sns = await addOptionChoices(page);
		console.log('options offered:', JSON.stringify(offered));
		for (const name of ['Send At', 'Client Reference (Sinch)', 'Validity Period (Seconds)', 'Wait for Final Status (Seconds)', 'Status Callback URL', 'Send Statuses to the Messaging Trigger']) expect(offered.sinch).toContain(name);
		for (const name of ['Media URLs (Twilio MMS)', 'Max Price (AWS SNS, USD)']) expect(offered.sinch).not.toContain(name);
		expect(offered.twilioNumber).not.toContain('Send At');
		expect(offered.twilioNumber).toContain('Media URLs (Twilio MMS)');
		expect(offered.twilioService).toContain('Send At');
		for (const name of ['Send At', 'Validity Period (Seconds)', 'Status Callback URL', 'Send Statuses to the Messaging Trigger', 'Wait for Final Status (Seconds)']) expect(offered.sns).not.toContain(name);
		expect(offered.sns).toContain('Max Price (AWS SNS, USD)');
		expect(offered.sns).toContain('Timeout per Request (Ms)');

		// The Messaging Trigger as a person sets it up: provider, events, the number it configures, the URL to use.
		await page.keyboard.press('Escape');
		await openCanvas(page, url, 'gwExConfirm00001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Messages to the clinic number"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const triggerLabels = await labels(page);
		for (const label of ['Provider', 'Events', 'Only These Statuses', 'Configure the Provider for Me', 'Twilio Number or Service', 'Check Signatures', 'Options']) {
			expect(triggerLabels).toContain(label);
		}
		const triggerText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(triggerText).toContain('Twilio Credential');
		// The URL to give a provider by hand is under "Webhook URLs", opened with a click.
		await page.getByText('Webhook URLs', { exact: false }).first().click();
		await page.waitForTimeout(500);
		expect(await page.locator('[data-test-id="ndv"]').innerText()).toMatch(/webhook(-test)?\/5b1e7c3a-0004-4000-8000-00000000c0f1\/messaging/);
		await page.screenshot({ path: join(screenshots, 'messaging-trigger.png') });
		const triggerOptions = await addOptionChoices(page);
		for (const name of ['Drop Redeliveries', 'Keyword Languages', 'Extra Opt-Out Words', 'Public URL', 'Reply Text']) expect(triggerOptions).toContain(name);
		await choose(page, 'provider', 'Sinch');
		const sinchTrigger = await page.locator('[data-test-id="ndv"]').innerText();
		expect(sinchTrigger).toContain('Callback URLs');
		expect(sinchTrigger).toContain('Sinch Credential');
		expect(await labels(page)).not.toContain('Configure the Provider for Me');
		await choose(page, 'provider', 'AWS SNS');
		const snsLabels = await labels(page);
		expect(snsLabels).toContain('SNS Topic ARN');
		expect(snsLabels).not.toContain('Only These Statuses');
		// Turning the signature check off shows the warning.
		await page.click('[data-test-id="parameter-input-checkSignature"] .el-switch, [data-test-id="parameter-input-checkSignature"]');
		await page.waitForTimeout(500);
		expect(await page.locator('[data-test-id="ndv"]').innerText()).toContain('Signature checks are off');
		await page.screenshot({ path: join(screenshots, 'messaging-trigger-sns-check-off.png') });
		console.log('trigger options offered:', JSON.stringify(triggerOptions));

		// Phone Verification as a person sets up a login code: the engine decides the credentials and the fields.
		await page.keyboard.press('Escape');
		await openCanvas(page, url, 'gwExLoginCode001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Send code"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const builtin = await labels(page);
		// The example sets the limit on codes per number, so its two options show as fields.
		for (const label of ['Operation', 'Engine', 'Keep Limits In', 'To', 'Default Country', 'Message', 'Twilio From', 'Code Length', 'Code Characters', 'Code Valid For (Minutes)', 'Options', 'Max Codes per Number', 'Period (Minutes)']) {
			expect(builtin).toContain(label);
		}
		expect(builtin).not.toContain('Verify Service SID');
		let verifyText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(verifyText).toContain('Twilio Credential');
		expect(verifyText).toContain('Verification Code Secret');
		// The note on what "This Workflow" guarantees is shown beside the parameters.
		expect(verifyText).toContain("Limits are kept for this workflow by this n8n process");
		await page.screenshot({ path: join(screenshots, 'phone-verification-builtin.png') });
		const startOptions = await addOptionChoices(page);
		for (const name of ['Number Validation', 'Timeout per Request (Ms)']) expect(startOptions).toContain(name);
		for (const name of ['Custom Code', 'Locale']) expect(startOptions).not.toContain(name);
		await choose(page, 'engine', 'Twilio Verify');
		const twilioVerify = await labels(page);
		for (const label of ['Verify Service SID', 'Channel', 'To']) expect(twilioVerify).toContain(label);
		for (const label of ['Message', 'Code Length', 'Twilio From']) expect(twilioVerify).not.toContain(label);
		verifyText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(verifyText).not.toContain('Verification Code Secret');
		expect(await addOptionChoices(page)).toEqual(expect.arrayContaining(['Custom Code', 'Locale', 'Number Validation']));
		await choose(page, 'engine', 'Sinch Verification');
		expect(await page.locator('[data-test-id="ndv"]').innerText()).toContain('Sinch Credential');
		await choose(page, 'sharedState', 'Redis');
		verifyText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(verifyText).toContain('Redis');
		expect(verifyText).not.toContain("Limits are kept for this workflow by this n8n process");
		await page.screenshot({ path: join(screenshots, 'phone-verification-sinch-redis.png') });
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
		await openCanvas(page, url, 'gwExLoginCode001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Check code"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const checkLabels = await labels(page);
		for (const label of ['Engine', 'Verification Token', 'To', 'Code', 'Max Attempts']) expect(checkLabels).toContain(label);
		// Checking a built-in code sends nothing: only the code secret is asked for, no provider credential.
		const checkText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(checkText).toContain('Verification Code Secret');
		expect(checkText).not.toContain('Twilio Credential');
		expect(await page.locator('[data-test-id="node-credentials-select"]').count()).toBe(1);
		await page.screenshot({ path: join(screenshots, 'phone-verification-check.png') });

		// Send WhatsApp as a person sends a template: the account's templates in a searchable list, with their language
		// and approval, and the chosen template's variables as named fields (fresh from the account, not stale).
		await page.keyboard.press('Escape');
		await openCanvas(page, url, 'gwExWhatsApp0001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="WhatsApp template: order shipped"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="resource-mapper-container"]');
		await page.waitForTimeout(2000);
		const template = await labels(page);
		for (const label of ['Operation', 'Provider', 'To', 'Default Country', 'Twilio Sender', 'WhatsApp From', 'Template', 'Template Variables', '{{1}} (e.g. Ada)', '{{3}} (e.g. tomorrow)', 'Options']) {
			expect(template).toContain(label);
		}
		expect(await page.locator('[data-test-id="ndv"] [data-test-id="resource-mapper-container"] [class*="staleDataWarning"]').count()).toBe(0);
		await page.screenshot({ path: join(screenshots, 'send-whatsapp-template.png') });
		await page.locator('[data-test-id="ndv"] [data-test-id="rlc-input"]').first().click();
		// The list fills in as the account's templates load.
		await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[data-test-id="rlc-item"]').length >= 3, undefined, { timeout: 15_000 });
		const listed = await page.$$eval('[data-test-id="rlc-item"]', (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.trim()));
		expect(listed).toEqual(expect.arrayContaining(['order_shipped · en · approved for WhatsApp', 'appointment_reminder · tr · approved for WhatsApp', 'spring_sale · en · WhatsApp: unsubmitted']));
		await page.screenshot({ path: join(screenshots, 'send-whatsapp-template-list.png') });
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
		// A free-form answer: the window choice, the fallback template, and what changes with Sinch.
		await openCanvas(page, url, 'gwExWhatsApp0001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Answer with the tracking link"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const message = await labels(page);
		for (const label of ['Message Type', 'Message', 'Outside the 24-Hour Window']) expect(message).toContain(label);
		expect(message).not.toContain('Fallback Template');
		expect(await page.locator('[data-test-id="ndv"]').innerText()).toContain('quick-reply buttons travel in templates');
		await choose(page, 'outsideWindow', 'Send a Template Instead');
		expect(await labels(page)).toContain('Fallback Template');
		await choose(page, 'provider', 'Sinch');
		const sinchWhatsApp = await labels(page);
		for (const label of ['Sinch Credential', 'Quick-Reply Buttons', 'Fallback Template Name', 'Fallback Template Language', 'Fallback Body Values', 'Fallback Button Payloads']) expect(sinchWhatsApp).toContain(label);
		for (const label of ['Twilio Sender', 'WhatsApp From', 'Fallback Template']) expect(sinchWhatsApp).not.toContain(label);
		await page.screenshot({ path: join(screenshots, 'send-whatsapp-sinch.png') });

		// Send and Wait for Reply as a person sets up an approval: the question, what answers it, how long to wait, where
		// replies are matched (Redis asks for its credential), and the hint that it runs once, for the first item.
		await page.keyboard.press('Escape');
		await openCanvas(page, url, 'gwExApproval0001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Ask the approver"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const approval = await labels(page);
		for (const label of ['Operation', 'Provider', 'To', 'Message', 'Default Country', 'Twilio From', 'Response Type', 'Approval Options', 'Limit Wait Time', 'Amount', 'Unit', 'Match Replies Using', 'Options']) {
			expect(approval).toContain(label);
		}
		for (const label of ['Send At', 'Rate Limit (Segments per Second)']) expect(approval).not.toContain(label);
		let approvalText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(approvalText).toContain('Replies come back through an active workflow with a Messaging Trigger on the same number');
		expect(approvalText).not.toMatch(/\bRedis\b/);
		await page.screenshot({ path: join(screenshots, 'send-sms-send-and-wait.png') });
		const waitOptions = await addOptionChoices(page);
		for (const name of ['Add Reply Instructions', 'Approve Words', 'Decline Words', 'Reply Instructions', 'Several Waiting for One Person', 'Word Languages', 'Number Validation']) expect(waitOptions).toContain(name);
		await choose(page, 'waitStore', 'Redis');
		approvalText = await page.locator('[data-test-id="ndv"]').innerText();
		expect(approvalText).toContain('Redis');
		await choose(page, 'responseType', 'Free Text');
		expect(await labels(page)).not.toContain('Approval Options');
		console.log('send and wait options offered:', JSON.stringify(waitOptions));

		// Phone Number renders too.
		await page.keyboard.press('Escape');
		await openCanvas(page, url, 'gwExCleanup00001');
		await page.dblclick('[data-test-id="canvas-node"][data-node-name="Check number"]');
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		const phone = await labels(page);
		for (const label of ['Operation', 'Phone Number', 'Default Country', 'Options']) expect(phone).toContain(label);
		await page.screenshot({ path: join(screenshots, 'phone-number.png') });
	} finally {
		await browser.close();
	}
}

/** What a person sees of the Bulk SMS Campaign in the appointment reminders example, for the test to check and log. */
export interface CampaignEditorView {
	canvas: string[];
	stickyNotes: number;
	outputs: Array<[string, string]>;
	search: Record<string, string[]>;
	labels: string[];
	values: Record<string, string>;
	options: string[];
	byRateMode: Record<string, string[]>;
	quietOff: string[];
	/** Credential boxes before and after Share Rate Limits Via is set to Redis, and the text after. */
	redis: { before: number; after: number; text: string };
	text: string;
}

/**
 * The Bulk SMS Campaign as a person meets it: the appointment reminders example on the canvas (its notes, the node's
 * two named outputs), the node found in the node panel, and its parameter panel opened: what it shows, in which
 * order, with which values, and what changes with the Sending Rate and Quiet Hours. Screenshots go to `screenshots`.
 */
export async function runCampaignEditorChecks(url: string, screenshots: string, workflowId: string, nodeName: string): Promise<CampaignEditorView> {
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
	try {
		const page = await signIn(browser, url);
		const canvas = await openCanvas(page, url, workflowId);
		const stickyNotes = await page.locator('[data-test-id="sticky"]').count();
		const outputs = await page.$$eval(`[data-test-id="canvas-node-output-handle"][data-node-name="${nodeName}"]`, (els) =>
			els.map((e): [string, string] => [e.getAttribute('data-index') ?? '', (e as unknown as { innerText: string }).innerText.trim()]),
		);
		await page.screenshot({ path: join(screenshots, 'workflow-appointment-reminders.png') });

		// Found in the node panel by the words people type.
		await page.click('[data-test-id="node-creator-plus-button"]');
		const search: Record<string, string[]> = {};
		for (const words of ['Bulk SMS', 'campaign', 'appointment reminders', 'mass SMS']) {
			await page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first().fill(words);
			await page.waitForTimeout(800);
			search[words] = (await page.$$eval('[data-test-id="item-iterator-item"]', (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.split('\n')[0]))).slice(0, 5);
		}
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);

		// A taller window for the parameter panel, so its pictures show the message with its translation, then the rate,
		// quiet hours and campaign key.
		await page.setViewportSize({ width: 1440, height: 1300 });
		await page.dblclick(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		await page.waitForTimeout(1000);
		const shown = await labels(page);
		const text = await page.locator('[data-test-id="ndv"]').innerText();
		const values: Record<string, string> = {};
		for (const name of ['provider', 'twilioSenderType', 'defaultCountry', 'rateMode', 'quietAction']) {
			values[name] = await page.locator(`[data-test-id="parameter-input-${name}"] input`).first().inputValue().catch(() => '');
		}
		await page.screenshot({ path: join(screenshots, 'bulk-sms-campaign.png') });
		await page.locator('[data-test-id="parameter-input-campaignKey"]').scrollIntoViewIfNeeded();
		await page.waitForTimeout(300);
		await page.screenshot({ path: join(screenshots, 'bulk-sms-campaign-quiet-hours.png') });
		const options = await addOptionChoices(page);

		// What the Sending Rate and Quiet Hours switches show and hide (not saved: the browser closes after).
		const byRateMode: Record<string, string[]> = {};
		for (const mode of ['By Sender Type', 'Custom', 'No Limit']) {
			await choose(page, 'rateMode', mode);
			byRateMode[mode] = await labels(page);
		}
		if (byRateMode['By Sender Type'].includes('Sender Type')) {
			await choose(page, 'rateMode', 'By Sender Type');
			await page.click('[data-test-id="parameter-input-senderType"]');
			await page.waitForTimeout(300);
			byRateMode['Sender Type choices'] = await page.$$eval('[role="option"]', (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.split('\n')[0].trim()).filter(Boolean));
			await page.keyboard.press('Escape');
		}
		await page.click('[data-test-id="parameter-input-quietHours"] .el-switch, [data-test-id="parameter-input-quietHours"]');
		await page.waitForTimeout(500);
		const quietOff = await labels(page);
		// Queue mode: Share Rate Limits Via set to Redis asks for the Redis credential, beside the provider's.
		// (With no Redis credential yet, n8n shows its box as a "Connect to Messaging Gateway: Redis" button, not a select.)
		const boxes = async () => (await page.locator('[data-test-id="node-credentials-select"]').count()) + (await page.getByText('Connect to Messaging Gateway: Redis').count());
		const before = await boxes();
		await choose(page, 'sharedState', 'Redis (Queue Mode)');
		await page.waitForTimeout(500);
		const after = await boxes();
		await page.locator('[data-test-id="node-parameters"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
		await page.getByText('Connect to Messaging Gateway: Redis').first().scrollIntoViewIfNeeded();
		await page.screenshot({ path: join(screenshots, 'bulk-sms-campaign-redis.png') });
		const redis = { before, after, text: await page.locator('[data-test-id="ndv"]').innerText() };
		return { canvas, stickyNotes, outputs, search, labels: shown, values, options, byRateMode, quietOff, redis, text };
	} finally {
		await browser.close();
	}
}
