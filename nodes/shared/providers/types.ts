import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import type { MessageStatus, ProviderName } from '../status';

/** One HTTP exchange as a provider module describes it; the transport sends it with the credential. */
export interface ProviderHttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	url: string;
	headers?: Record<string, string>;
	/** Already encoded: form or JSON text. */
	body?: string;
}

export interface ProviderHttpResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** What a provider module is given to talk to its API. */
export interface ProviderContext {
	credentials: ICredentialDataDecryptedObject;
	http: (request: ProviderHttpRequest) => Promise<ProviderHttpResponse>;
	now: () => Date;
}

export interface SendSmsRequest {
	/** E.164. */
	to: string;
	body: string;
	from?: string;
	/** Twilio: send through a Messaging Service instead of one number. */
	messagingServiceSid?: string;
	mediaUrls?: string[];
	statusCallbackUrl?: string;
	/** Seconds the provider may keep trying. */
	validityPeriod?: number;
	sendAt?: Date;
	clientReference?: string;
	/** AWS SNS. */
	senderId?: string;
	smsType?: 'Transactional' | 'Promotional';
	maxPrice?: number;
}

/** A message as a provider reports it, before the node adds what it computed. */
export interface ProviderMessage {
	messageId: string;
	status: MessageStatus;
	providerStatus: string;
	to: string;
	from: string | null;
	/** Segments the provider counted, when it says. */
	segments?: number;
	price?: number;
	priceUnit?: string;
	errorCode?: string;
	errorMessage?: string;
	sentAt?: string;
	raw: IDataObject;
}

export interface ProviderCapabilities {
	getMessage: boolean;
	cancelMessage: boolean;
	schedule: boolean;
	media: boolean;
	statusCallback: boolean;
}

export interface SmsProvider {
	name: ProviderName;
	label: string;
	/** The n8n credential type this provider signs its requests with. */
	credentialType: string;
	capabilities: ProviderCapabilities;
	/** Why this provider cannot send with these options, or undefined when it can. */
	checkSendRequest(request: SendSmsRequest, now: Date): string | undefined;
	sendSms(ctx: ProviderContext, request: SendSmsRequest): Promise<ProviderMessage>;
	getMessage(ctx: ProviderContext, messageId: string, to?: string): Promise<ProviderMessage>;
	cancelMessage(ctx: ProviderContext, messageId: string): Promise<ProviderMessage>;
}
