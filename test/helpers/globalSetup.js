const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// One n8n user folder for the whole run (n8n-core writes an encryption key there), removed at the end.
module.exports = async () => {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-gateway-test-'));
};
