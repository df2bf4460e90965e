// skein's `npm install` step (shipped in the package): use the prebuilt
// binary in prebuilds/ that matches this platform, architecture, Node ABI and
// libc when it loads here, and compile nothing; otherwise build the addon
// from source with node-gyp. Without the toolchain that needs, fail with one
// message that says what to install.
//
// `npm install --build-from-source` (npm_config_build_from_source=true)
// always builds, and so does `npm install` in a checkout of the repository.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const here = `Node ${process.versions.node} (ABI ${process.versions.modules}) on ${process.platform}-${process.arch}`

/** The matching prebuild, or why there is none usable. */
function prebuild() {
  if (process.env.npm_config_build_from_source === 'true') return { why: 'a build from source was asked for (--build-from-source)' }
  if (existsSync(join(ROOT, '.git'))) return { why: 'this is a checkout of skein, whose prebuilds/ may be older than native/' }
  // build/ holds an earlier build from source: only prebuilds/ counts here.
  process.env.PREBUILDS_ONLY = '1'
  let path
  try {
    path = require('node-gyp-build').resolve(ROOT)
  } catch {
    return { why: `no prebuilt binary matches ${here} (prebuilds cover Node 20, 22 and 24 on linux-x64 and linux-arm64, glibc)` }
  }
  try {
    require(path)
    return { path }
  } catch (error) {
    return { why: `the prebuilt binary ${relative(ROOT, path)} does not load into ${here}: ${String(error.message).split('\n')[0]}` }
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v "${command}"`], { stdio: 'ignore' }).status === 0
}

/** The build tools node-gyp needs that this machine lacks. */
function missingTools() {
  const missing = []
  if (!has(process.env.PYTHON || process.env.npm_config_python || 'python3')) missing.push('python3')
  if (!has('make')) missing.push('make')
  const cxx = process.env.CXX || 'g++'
  if (!has(cxx) && !(cxx === 'g++' && has('c++'))) missing.push(cxx === 'g++' ? 'g++' : `${cxx} (CXX)`)
  return missing
}

/** node-gyp: npm's own (npm_config_node_gyp), else the one on PATH. */
function nodeGyp() {
  const bundled = process.env.npm_config_node_gyp
  return bundled ? [process.execPath, bundled] : ['node-gyp']
}

const found = prebuild()
if (found.path !== undefined) {
  process.stdout.write(`skein: using the prebuilt binary ${relative(ROOT, found.path)} (nothing to compile)\n`)
  process.exit(0)
}
const missing = missingTools()
if (missing.length > 0) {
  process.stderr.write(
    `skein: ${found.why}, so its native addon must be built from source, and this machine has no ${missing.join(', ')}.\n` +
    `  Install ${missing.length > 1 ? 'them' : 'it'} (Debian/Ubuntu: apt-get install g++ make python3; Fedora/RHEL: dnf install gcc-c++ make python3; Alpine: apk add g++ make python3 linux-headers), then run \`npm rebuild skein\`.\n`)
  process.exit(1)
}
process.stdout.write(`skein: ${found.why}; building the native addon from source\n`)
const [command, ...args] = nodeGyp()
const result = spawnSync(command, [...args, 'rebuild'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PREBUILDS_ONLY: '' } })
if (result.error !== undefined) {
  process.stderr.write(`skein: could not run node-gyp (${result.error.message}): install it (npm install -g node-gyp) and run \`npm rebuild skein\`\n`)
  process.exit(1)
}
process.exit(result.status ?? 1)
