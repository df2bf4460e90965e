// Node.js distributions from the npm registry, for building and testing on
// every supported Node line without nodejs.org: the packages
// `node-linux-<arch>@<version>` hold `bin/node` and `include/node` (the
// headers and config.gypi node-gyp needs with `--nodedir`). Each is unpacked
// once into a cache and reused.
//
//   node scripts/node-dist.mjs 24          → prints the x64 Node 24 directory
//   node scripts/node-dist.mjs 22 arm64    → the arm64 one (for cross builds and qemu)
//
// The versions are pinned so that `npm run prebuild` is reproducible: every
// Node line keeps its ABI (NODE_MODULE_VERSION) for its whole life, so the
// newest patch release of the line at the time of pinning builds a binary
// that loads into any release of that line.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The supported Node lines, each with the release whose headers and binary we build and test with. */
export const NODE_VERSIONS = { 20: '20.20.2', 22: '22.23.5', 24: '24.22.3' }

/** The architectures skein ships prebuilt binaries for (Linux, glibc). */
export const ARCHES = ['x64', 'arm64']

/** Where unpacked distributions are kept: $SKEIN_NODE_CACHE, else ~/.cache/skein/node. */
export function cacheDir() {
  return process.env.SKEIN_NODE_CACHE || join(homedir(), '.cache', 'skein', 'node')
}

/** The directory of Node `major` (20, 22 or 24) for `arch`, fetched from the npm registry on first use. */
export function nodeDist(major, arch = 'x64') {
  const version = NODE_VERSIONS[major]
  if (version === undefined) throw new Error(`Node ${major} is not a supported line (supported: ${Object.keys(NODE_VERSIONS).join(', ')})`)
  if (!ARCHES.includes(arch)) throw new Error(`no Node distribution for arch ${arch} (known: ${ARCHES.join(', ')})`)
  const dir = join(cacheDir(), `node-linux-${arch}-${version}`)
  if (existsSync(join(dir, 'bin', 'node')) && existsSync(join(dir, 'include', 'node', 'node.h'))) return dir
  mkdirSync(cacheDir(), { recursive: true })
  // Unpacked beside its final place and renamed in: a run killed halfway leaves no half directory behind.
  const staging = mkdtempSync(join(cacheDir(), '.staging-'))
  try {
    const spec = `node-linux-${arch}@${version}`
    const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', staging], { encoding: 'utf8' }).trim().split('\n').pop()
    const unpacked = join(staging, 'package')
    execFileSync('tar', ['xzf', join(staging, file), '-C', staging])
    if (!existsSync(join(unpacked, 'bin', 'node')) || !existsSync(join(unpacked, 'include', 'node', 'node.h'))) {
      throw new Error(`${spec} holds no bin/node and include/node/node.h: the npm package changed its layout`)
    }
    rmSync(dir, { recursive: true, force: true })
    renameSync(unpacked, dir)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return dir
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [major, arch] = process.argv.slice(2)
  if (major === undefined) {
    process.stderr.write(`usage: node scripts/node-dist.mjs <${Object.keys(NODE_VERSIONS).join('|')}> [${ARCHES.join('|')}]\n`)
    process.exit(2)
  }
  try {
    process.stdout.write(nodeDist(major, arch) + '\n')
  } catch (error) {
    process.stderr.write(`node-dist: ${error.message}\n`)
    process.exit(1)
  }
}
