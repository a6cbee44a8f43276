import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { defaultCountryProperty, phoneValidationOption } from '../shared/descriptions/phoneOptions';
import { runItems } from '../shared/items';
import { ParameterReader } from '../shared/params';
import { countryName, describePhone, isCountryCode, judgePhone, lineTypeText, type PhoneValidation } from '../shared/rules/phone';

export class PhoneNumber implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Phone Number',
		name: 'phoneNumber',
		icon: { light: 'file:phoneNumber.svg', dark: 'file:phoneNumber.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"Validate & Format" + ($parameter["defaultCountry"] ? " · " + $parameter["defaultCountry"] : "")}}',
		description: 'Validate phone numbers, format them as E.164 and tell their country and type, offline, before money is spent',
		// The editor opens this as given; a codex documentation link would get its tracking query after the anchor.
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-messaging-gateway#phone-number',
		defaults: { name: 'Phone Number' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Validate & Format',
						value: 'validate',
						action: 'Validate and format a phone number',
						description: 'Check a number and give it in E.164, national and international formats with its country and type',
					},
				],
				default: 'validate',
			},
			{
				displayName: 'Phone Number',
				name: 'phoneNumber',
				type: 'string',
				default: '',
				required: true,
				placeholder: '={{ $json.phone }}',
				description: 'The number as people write it: 06 12 34 56 78, (212) 555-0100, +44 7911 123456, 0033 6…, whatsapp:+…',
			},
			{ ...defaultCountryProperty() },
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Output Field',
						name: 'outputField',
						type: 'string',
						default: 'phone',
						description: 'The field of the item the result goes into. The rest of the item is kept.',
					},
					{ ...phoneValidationOption },
					{
						displayName: 'Require Mobile',
						name: 'requireMobile',
						type: 'boolean',
						default: false,
						description: 'Whether to mark landlines, toll-free and other non-mobile numbers as not valid (numbers that cannot receive SMS)',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		return await runItems(this, () => ({
			failureFields: (i) => ({ ...items[i].json }),
			async run(this: IExecuteFunctions, item) {
				const i = item.index;
				const params = new ParameterReader(this, i);
				const input = params.raw('phoneNumber', '');
				const country = params.text('Default Country', params.raw('defaultCountry', '')).replace(/\s+/g, '').toUpperCase();
				if (country !== '' && !isCountryCode(country)) {
					params.fail(`"${country}" is not a country code`, 'Use a two-letter ISO 3166 code such as FR, US or GB.');
				}
				const rawOptions = params.raw('options', {});
				const options = (rawOptions && typeof rawOptions === 'object' ? rawOptions : {}) as {
					outputField?: string;
					phoneValidation?: PhoneValidation;
					requireMobile?: boolean;
				};
				const info = describePhone(input, country || undefined);
				const verdict = judgePhone(info, {
					validation: options.phoneValidation === 'possible' ? 'possible' : 'strict',
					requireMobile: options.requireMobile === true,
				});
				const result: IDataObject = {
					input: info.input,
					// Only a number that passed has an E.164 form to send to.
					e164: verdict.ok ? info.e164 : null,
					valid: verdict.ok,
					possible: info.possible,
					country: info.country,
					countryName: countryName(info.country),
					callingCode: info.callingCode,
					type: info.type,
					lineType: lineTypeText(info.type),
					isMobile: info.isMobile,
					national: info.national,
					international: info.international,
				};
				if (!verdict.ok) {
					result.reason = verdict.reason;
					result.reasonText = verdict.message;
				}
				const field = String(options.outputField ?? 'phone').trim() || 'phone';
				return { ...items[i].json, [field]: result };
			},
		}));
	}
}
