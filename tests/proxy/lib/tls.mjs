// A throwaway certificate authority for one test file, made with the openssl command line: a CA
// (self-signed, basicConstraints CA:true) and a server certificate it signs for 127.0.0.1 and
// localhost (subjectAltName; clients ignore the CN). Keys are EC P-256 so generation takes
// milliseconds. Nothing is installed anywhere: clients get the CA file explicitly (the `ca` option
// of an https.Agent, or NODE_EXTRA_CA_CERTS for a child process).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DAYS = '2';

function openssl(args, cwd) {
  try {
    return execFileSync(process.env.OPENSSL_BIN || 'openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
  } catch (err) {
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() || err.message}`);
  }
}

export class ThrowawayCa {
  /** Creates the CA and the server certificate in a fresh temp directory. */
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'resound-proxy-ca-'));
    this.caKey = join(this.dir, 'ca.key');
    this.caCert = join(this.dir, 'ca.pem');
    this.serverKey = join(this.dir, 'server.key');
    this.serverCert = join(this.dir, 'server.pem');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', this.caKey, '-out', this.caCert, '-days', DAYS,
      '-subj', '/CN=Resound proxy test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], this.dir);
    const csr = join(this.dir, 'server.csr');
    openssl(['req', '-new', ...ec, '-keyout', this.serverKey, '-out', csr, '-subj', '/CN=localhost'], this.dir);
    const ext = join(this.dir, 'server.ext');
    writeFileSync(ext, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'));
    openssl(['x509', '-req', '-in', csr, '-CA', this.caCert, '-CAkey', this.caKey, '-CAcreateserial',
      '-out', this.serverCert, '-days', DAYS, '-extfile', ext], this.dir);
    this.caPem = readFileSync(this.caCert, 'utf8');
  }

  destroy() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
