import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, run, withFetchLock } from './cache.js';

/** A Python interpreter: SIEM_STREAM_PYTHON, else python3 on PATH. */
export function findPython(min: [number, number], purpose: string): string {
  const candidate = process.env.SIEM_STREAM_PYTHON ?? 'python3';
  let version: string;
  try {
    version = execFileSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
      timeout: 10_000,
    }).trim();
  } catch {
    throw new Error(
      `${purpose} needs Python ${min.join('.')}+ with venv; "${candidate}" could not be run. ` +
        'Install it (e.g. apt install python3 python3-venv) or point SIEM_STREAM_PYTHON at an interpreter.',
    );
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < min[0] || (major === min[0] && minor < min[1]))
    throw new Error(`${purpose} needs Python ${min.join('.')}+; ${candidate} is ${version} (set SIEM_STREAM_PYTHON to another one)`);
  return candidate;
}

/**
 * The interpreter of a virtual environment `<cache>/<name>/venv` holding `requirements` (pinned
 * pip specifiers), made with pip from PyPI the first time and reused afterwards.
 */
export async function pythonVenv(name: string, requirements: string[], python: string, progress: (msg: string) => void): Promise<string> {
  const dir = join(cacheDir(), name);
  const interpreter = join(dir, 'venv', 'bin', 'python');
  const complete = join(dir, '.complete');
  if (existsSync(complete)) return interpreter;
  return withFetchLock(progress, async () => {
    if (existsSync(complete)) return interpreter;
    // a half-made venv (an earlier run was interrupted) is made again from scratch
    rmSync(dir, { recursive: true, force: true });
    const started = Date.now();
    progress(`${name}: installing ${requirements.join(' ')} from PyPI into ${dir} (first run only)`);
    try {
      await run(python, ['-m', 'venv', join(dir, 'venv')]);
      await run(interpreter, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', ...requirements]);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `${name}: pip could not install ${requirements.join(' ')} (network, proxy or pip.conf?): ${(error as Error).message}`,
      );
    }
    writeFileSync(complete, `${requirements.join('\n')}\n`);
    progress(`${name}: ready in ${Math.round((Date.now() - started) / 1000)}s`);
    return interpreter;
  });
}
