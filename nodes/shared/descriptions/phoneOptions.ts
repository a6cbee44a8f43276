import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { countryName, listCountries } from '../rules/phone';

export function countryOptions(): INodePropertyOptions[] {
	const options = listCountries().map((code) => ({ name: `${countryName(code) ?? code} (${code})`, value: code }));
	options.sort((a, b) => a.name.localeCompare(b.name));
	return [{ name: 'None (Numbers Must Start With +)', value: '' }, ...options];
}

export const defaultCountryProperty = (displayOptions?: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Default Country',
	name: 'defaultCountry',
	type: 'options',
	options: countryOptions(),
	default: '',
	description: 'The country of numbers written without a country code, such as 06 12 34 56 78 for France',
	...(displayOptions ? { displayOptions } : {}),
});

export const phoneValidationOption: INodeProperties = {
	displayName: 'Number Validation',
	name: 'phoneValidation',
	type: 'options',
	options: [
		{
			name: 'Strict',
			value: 'strict',
			description: 'The number must be valid for its country (full numbering-plan metadata)',
		},
		{
			name: 'Possible Length Only',
			value: 'possible',
			description: 'Accept any number of a possible length, for ranges newer than the metadata',
		},
	],
	default: 'strict',
};
