/**
 * The Twilio content templates the sandbox holds from the start (and again after a reset): what a WhatsApp account
 * would have in its Content Template Builder. Their SIDs never change, so example workflows and tests can name them.
 * This module imports nothing: tests, examples and the docs can read it on its own.
 */

/** WhatsApp's verdict on a template, as the Content API reports it. */
export type ApprovalStatus = 'unsubmitted' | 'received' | 'pending' | 'approved' | 'rejected' | 'paused' | 'disabled';

export interface ContentSeed {
	sid: string;
	friendlyName: string;
	language: string;
	/** Variable name → sample value: what Twilio sends for a variable the message leaves out. */
	variables: Record<string, string>;
	/** The Content API's `types`, as POST /v1/Content takes them. */
	types: Record<string, Record<string, unknown>>;
	/** The WhatsApp approval request; absent for a template never submitted. */
	approval?: { name: string; category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION'; status: ApprovalStatus; rejectionReason?: string };
}

/** The seeds' SIDs by name, for code that sends them. */
export const TWILIO_TEMPLATE_SIDS = {
	orderShipped: 'HX0b7de13e8d46508ca7c9981891d2a673',
	appointmentReminder: 'HX3130efcc1699ecd3b0160417cba650d1',
	appointmentReminderTr: 'HXf84971dd30b8c21f8f1335bca95de170',
	expenseApproval: 'HXdc2ffb1880aaffa61b40fb5acc181db4',
	deliveryUpdate: 'HX1cca72ba28bbed0adffdb2121f5ba3bb',
	invoiceReady: 'HX3f7d16ee4ced3b55cc16094ddd0a7de1',
	/** Never submitted to WhatsApp: usable inside the 24-hour window only. */
	springSale: 'HX6fba8ab9b1af711f3c19d330bf9f425f',
	/** Rejected by WhatsApp: usable inside the 24-hour window only. */
	winAPrize: 'HXba4458033703702d904c687655671f41',
} as const;

const ids = TWILIO_TEMPLATE_SIDS;

/** When the seeds were made (their date_created and date_updated). */
export const SEEDED_AT = '2024-05-14T09:30:00Z';

// Twilio keeps a twilio/text beside a rich type so channels without buttons still get the words; WhatsApp refuses
// templates that start or end with a variable, so none of these does.
export const TWILIO_CONTENT_SEEDS: readonly ContentSeed[] = [
	{
		sid: ids.orderShipped,
		friendlyName: 'order_shipped',
		language: 'en',
		variables: { '1': 'Ada', '2': '#1001', '3': 'tomorrow' },
		types: {
			'twilio/quick-reply': {
				body: 'Hi {{1}}, your order {{2}} has shipped and arrives {{3}}.',
				actions: [
					{ title: 'Track', id: 'track' },
					{ title: 'Talk to us', id: 'talk' },
				],
			},
			'twilio/text': { body: 'Hi {{1}}, your order {{2}} has shipped and arrives {{3}}.' },
		},
		approval: { name: 'order_shipped', category: 'UTILITY', status: 'approved' },
	},
	{
		sid: ids.appointmentReminder,
		friendlyName: 'appointment_reminder',
		language: 'en',
		variables: { '1': 'Ada', '2': 'May 21', '3': '3:00 PM' },
		types: {
			'twilio/quick-reply': {
				body: 'Hi {{1}}, this is a reminder of your appointment on {{2}} at {{3}}. Can you make it?',
				actions: [
					{ title: 'Confirm', id: 'confirm' },
					{ title: 'Cancel', id: 'cancel' },
				],
			},
			'twilio/text': { body: 'Hi {{1}}, this is a reminder of your appointment on {{2}} at {{3}}. Reply YES to confirm.' },
		},
		approval: { name: 'appointment_reminder', category: 'UTILITY', status: 'approved' },
	},
	{
		sid: ids.appointmentReminderTr,
		friendlyName: 'appointment_reminder',
		language: 'tr',
		variables: { '1': 'Ayşe', '2': '21 Mayıs', '3': '15:00' },
		types: {
			'twilio/quick-reply': {
				body: 'Merhaba {{1}}, {{2}} günü saat {{3}} randevunuzu hatırlatırız. Gelebilecek misiniz?',
				actions: [
					{ title: 'Onayla', id: 'confirm' },
					{ title: 'İptal et', id: 'cancel' },
				],
			},
			'twilio/text': { body: 'Merhaba {{1}}, {{2}} günü saat {{3}} randevunuzu hatırlatırız. Onaylamak için EVET yazın.' },
		},
		approval: { name: 'appointment_reminder', category: 'UTILITY', status: 'approved' },
	},
	{
		sid: ids.expenseApproval,
		friendlyName: 'expense_approval',
		language: 'en',
		variables: { '1': 'Grace Hopper', '2': '$120.00', '3': 'team lunch' },
		types: {
			'twilio/quick-reply': {
				body: 'Expense report from {{1}}: {{2}} for {{3}}. Do you approve it?',
				actions: [
					{ title: 'Approve', id: 'approve' },
					{ title: 'Decline', id: 'decline' },
				],
			},
			'twilio/text': { body: 'Expense report from {{1}}: {{2}} for {{3}}. Reply APPROVE or DECLINE.' },
		},
		approval: { name: 'expense_approval', category: 'UTILITY', status: 'approved' },
	},
	{
		sid: ids.deliveryUpdate,
		friendlyName: 'delivery_update',
		language: 'en',
		variables: { first_name: 'Ada', tracking_code: '1Z999AA10123456784' },
		types: { 'twilio/text': { body: 'Hello {{first_name}}, your parcel {{tracking_code}} is out for delivery today.' } },
		approval: { name: 'delivery_update', category: 'UTILITY', status: 'approved' },
	},
	{
		sid: ids.invoiceReady,
		friendlyName: 'invoice_ready',
		language: 'en',
		variables: { '1': 'Ada', '2': 'INV-1001' },
		types: {
			'twilio/media': { body: 'Hi {{1}}, your invoice {{2}} is attached.', media: ['https://example.com/invoices/{{2}}.pdf'] },
			'twilio/text': { body: 'Hi {{1}}, your invoice {{2}} is ready.' },
		},
		approval: { name: 'invoice_ready', category: 'UTILITY', status: 'approved' },
	},
	{
		sid: ids.springSale,
		friendlyName: 'spring_sale',
		language: 'en',
		variables: { '1': '20%' },
		types: {
			'twilio/quick-reply': {
				body: 'Spring sale: {{1}} off everything until Sunday. Want the catalogue?',
				actions: [
					{ title: 'Yes please', id: 'catalogue' },
					{ title: 'No thanks', id: 'no' },
				],
			},
		},
	},
	{
		sid: ids.winAPrize,
		friendlyName: 'win_a_prize',
		language: 'en',
		variables: { '1': 'Ada' },
		types: { 'twilio/text': { body: 'Congratulations {{1}}! You have won a prize. Claim it today.' } },
		approval: {
			name: 'win_a_prize',
			category: 'UTILITY',
			status: 'rejected',
			rejectionReason: 'The template reads as marketing but was submitted as UTILITY (INCORRECT_CATEGORY).',
		},
	},
];
