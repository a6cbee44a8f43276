// Set by the global setup: n8n-core must never write into the developer's ~/.n8n.
if (!process.env.N8N_USER_FOLDER?.includes('n8n-gateway-test-')) {
	throw new Error('N8N_USER_FOLDER is not the test folder: run the tests through jest (npm test)');
}
