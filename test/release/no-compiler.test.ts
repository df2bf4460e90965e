/**
 * The packed package on a machine without a compiler, on every supported Node
 * line: installed into an empty folder with g++, cc, make and python3 off the
 * PATH, it compiles nothing and the README's quick start runs; with skein's
 * install script allowed, the script takes the prebuild and still compiles
 * nothing; where no prebuild matches, the script fails with one message
 * naming what to install, and loading skein says how to build it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { COMPILERS, cleanEnv, emptyProject, installedVersion, nodeDist, noCompilerPath, quickStart, run, tarball } from './package.js'

const packed = tarball()
const ABI: Record<number, number> = { 20: 115, 22: 127, 24: 137 }

for (const major of [20, 22, 24]) {
  test(`Node ${major}, no compiler: npm install of the tarball compiles nothing and the README's quick start runs`, { timeout: 600_000 }, () => {
    const path = noCompilerPath(join(nodeDist(major), 'bin'))
    const env = cleanEnv(path)
    const dir = emptyProject(`skein-nocc-${major}-`)
    const hidden = run('sh', ['-c', COMPILERS.map((c) => `command -v ${c}`).join(' || ')], dir, env)
    assert.notEqual(hidden.status, 0, `a compiler is still on the PATH: ${hidden.stdout}`)
    assert.equal(run('node', ['--version'], dir, env).stdout.trim().split('.')[0], `v${major}`)

    const install = run('npm', ['install', '--no-audit', '--no-fund', packed, `tsx@${installedVersion('tsx')}`], dir, env)
    assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`)
    const skein = join(dir, 'node_modules', 'skein')
    assert.ok(!existsSync(join(skein, 'build')), 'nothing was compiled (no build/ in node_modules/skein)')

    writeFileSync(join(dir, 'counter.ts'), quickStart())
    const counted = run('npx', ['tsx', 'counter.ts'], dir, env, 120_000)
    assert.equal(counted.status, 0, `the quick start failed:\n${counted.stdout}\n${counted.stderr}`)
    assert.equal(counted.stdout.trim(), '8000')
    const cli = run('npx', ['skein', '--version'], dir, env)
    assert.equal(cli.status, 0, `npx skein --version failed:\n${cli.stdout}\n${cli.stderr}`)
    assert.equal(cli.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version, 'the installed package\'s command runs')

    // With skein's install script approved (npm blocks dependencies' scripts until then), it takes the prebuild.
    const approved = run('npm', ['install-scripts', 'approve', 'skein'], dir, env)
    assert.equal(approved.status, 0, `npm install-scripts approve skein failed:\n${approved.stdout}\n${approved.stderr}`)
    const rebuilt = run('npm', ['rebuild', 'skein', '--foreground-scripts'], dir, env)
    assert.equal(rebuilt.status, 0, `npm rebuild skein failed:\n${rebuilt.stdout}\n${rebuilt.stderr}`)
    assert.match(rebuilt.stdout, new RegExp(`skein: using the prebuilt binary prebuilds/linux-x64/skein\\.abi${ABI[major]}\\.glibc\\.node \\(nothing to compile\\)`))
    assert.ok(!existsSync(join(skein, 'build')), 'the install script compiled nothing')

    // No prebuild for this ABI: the install script names what to install, and loading says how to build.
    rmSync(join(skein, 'prebuilds', 'linux-x64'), { recursive: true })
    const failed = run('npm', ['rebuild', 'skein', '--foreground-scripts'], dir, env)
    assert.notEqual(failed.status, 0, 'the install script fails without a prebuild and without a compiler')
    assert.match(failed.stderr, /skein: no prebuilt binary matches Node [\d.]+ \(ABI \d+\) on linux-x64.*this machine has no python3, make, g\+\+\.\n {2}Install them \(Debian\/Ubuntu: apt-get install g\+\+ make python3/)
    const loaded = run('node', ['-e', "import('skein').then(() => console.log('loaded'), (e) => { console.error(e.message); process.exit(3) })"], dir, env)
    assert.equal(loaded.status, 3)
    assert.match(loaded.stderr, /skein has no native addon for Node [\d.]+ \(ABI \d+\) on linux-x64 .*: build it from source: install g\+\+, make and python3/)
  })
}

test('Node 24, no compiler: the quick start also runs as plain `node counter.ts` (Node strips the types)', { timeout: 300_000 }, () => {
  const env = cleanEnv(noCompilerPath(join(nodeDist(24), 'bin')))
  const dir = emptyProject('skein-nocc-strip-')
  const install = run('npm', ['install', '--no-audit', '--no-fund', packed], dir, env)
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`)
  writeFileSync(join(dir, 'counter.ts'), quickStart())
  const counted = run('node', ['counter.ts'], dir, env, 120_000)
  assert.equal(counted.status, 0, `node counter.ts failed:\n${counted.stdout}\n${counted.stderr}`)
  assert.equal(counted.stdout.trim(), '8000')
})
