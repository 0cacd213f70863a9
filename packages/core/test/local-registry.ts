/**
 * An npm registry on loopback holding the packed tarballs, so that npm, pnpm and yarn install
 * the core by name, as users will once it is published: each reads the core's optional platform
 * packages from the registry's metadata and keeps only the one whose os/cpu/libc fit. The
 * platforms not built here are published by their manifests alone: their tarballs hold just the
 * package.json, so that a package manager that downloads every optional package before checking
 * its platform (yarn 1) can still finish; the tests check that none of them is installed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface LocalRegistry {
  url: string;
  /** The tarball files downloaded so far, in order. */
  downloads: string[];
  close(): Promise<void>;
}

interface Manifest {
  name: string;
  version: string;
  [field: string]: unknown;
}

interface Published {
  manifest: Manifest;
  file: string;
  bytes: Buffer;
}

/** Serves every .tgz in `tarballDir`, plus a manifest-only package for each of `manifests`. */
export async function startRegistry(tarballDir: string, manifests: Manifest[]): Promise<LocalRegistry> {
  const byName = new Map<string, Published>();
  for (const file of readdirSync(tarballDir).filter((f) => f.endsWith('.tgz'))) {
    const path = join(tarballDir, file);
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', path, 'package/package.json'], { encoding: 'utf8' }));
    byName.set(manifest.name, { manifest, file, bytes: readFileSync(path) });
  }
  for (const manifest of manifests.filter((m) => !byName.has(m.name))) {
    const file = `${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz`;
    byName.set(manifest.name, { manifest, file, bytes: manifestOnlyTarball(manifest) });
  }
  const byFile = new Map([...byName.values()].map((published) => [published.file, published]));

  const downloads: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://registry').pathname);
    const tarball = path.startsWith('/-/') ? byFile.get(path.slice(3)) : undefined;
    if (tarball) {
      downloads.push(tarball.file);
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball.bytes);
      return;
    }
    const published = byName.get(path.slice(1));
    if (!published) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument(published)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function packument({ manifest, file, bytes }: Published): object {
    const dist = {
      tarball: `${url}/-/${file}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    };
    return {
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: { [manifest.version]: { ...manifest, _id: `${manifest.name}@${manifest.version}`, dist } },
    };
  }

  return {
    url,
    downloads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function manifestOnlyTarball(manifest: Manifest): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'emotion-registry-'));
  try {
    mkdirSync(join(work, 'package'));
    writeFileSync(join(work, 'package/package.json'), JSON.stringify({ ...manifest, files: undefined }));
    const file = join(work, `${basename(work)}.tgz`);
    execFileSync('tar', ['czf', file, '-C', work, 'package']);
    return readFileSync(file);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
