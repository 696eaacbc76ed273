// Signs a credential (read from standard input) as VC-JWT tokens with Node's own WebCrypto, an
// implementation independent of the Python JOSE library the product verifies with: one token per
// algorithm, each issued by a fresh did:jwk key. Prints one JSON line per token: {alg, token}.
import { webcrypto } from "node:crypto";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const template = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const encode = (value) => Buffer.from(value).toString("base64url");

const ALGORITHMS = [
  ["EdDSA", { name: "Ed25519" }, { name: "Ed25519" }],
  ["ES256", { name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  ["ES384", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
];

for (const [alg, keyParams, signParams] of ALGORITHMS) {
  const pair = await webcrypto.subtle.generateKey(keyParams, true, ["sign", "verify"]);
  const { kty, crv, x, y } = await webcrypto.subtle.exportKey("jwk", pair.publicKey);
  const did = "did:jwk:" + encode(JSON.stringify(y ? { kty, crv, x, y } : { kty, crv, x }));
  const credential = { ...template, issuer: { ...template.issuer, id: did } };
  const signingInput = `${encode(JSON.stringify({ alg, typ: "vc+jwt", kid: `${did}#0` }))}.${encode(JSON.stringify(credential))}`;
  const signature = await webcrypto.subtle.sign(signParams, pair.privateKey, Buffer.from(signingInput));
  console.log(JSON.stringify({ alg, token: `${signingInput}.${encode(new Uint8Array(signature))}` }));
}
