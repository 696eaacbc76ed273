// An independent Open Badges 3.0 verifier for the tests: Digital Bazaar's VC libraries, offline.
// Usage: node verify.mjs <export dir> <OB 3.0 context file> <credential.json>...
// Prints one JSON line per credential: {file, verified, revoked, error}.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const require = createRequire(import.meta.url);
const multikeyContext = require('@digitalbazaar/multikey-context');

const [dir, obContextFile, ...files] = process.argv.slice(2);
const documents = new Map(credentialsContexts);
documents.set(multikeyContext.CONTEXT_URL, multikeyContext.CONTEXT);
documents.set('https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  JSON.parse(readFileSync(obContextFile, 'utf8')));
const map = JSON.parse(readFileSync(path.join(dir, 'public', 'map.json'), 'utf8'));
for(const [url, file] of Object.entries(map)) {
  documents.set(url, JSON.parse(readFileSync(path.join(dir, 'public', file), 'utf8')));
}

async function documentLoader(url) {
  if(documents.has(url)) {
    return {contextUrl: null, documentUrl: url, document: documents.get(url)};
  }
  throw new Error(`offline: no document for ${url}`);
}

for(const file of files) {
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  let line;
  try {
    const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
    const revoked = (result.statusResult?.results || []).some(r => r.status === true);
    const errors = [result.error, ...(result.results || []).map(r => r.error)]
      .filter(Boolean).map(e => String(e.message || e));
    line = {file: path.basename(file), verified: result.verified, revoked, error: errors.join('; ')};
  } catch(e) {
    line = {file: path.basename(file), verified: false, revoked: null, error: String(e.message || e)};
  }
  console.log(JSON.stringify(line));
}
