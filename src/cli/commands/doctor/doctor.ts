import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  hasFailures,
  offlineFindings,
  type DoctorFinding,
} from '../../../core/doctor.js';
import type { RunFn } from '../../command-kit.js';
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { printChecklist } from './print.js';

interface DoctorOptions {
  online?: boolean;
}

/**
 * Exit codes: 0 when nothing failed (warnings allowed); 4 when a
 * configuration check failed, including an online SIGNERROR (a wrong key is
 * configuration); 3 when only the online probe could not reach the API; 1
 * when the API answered something the probe cannot interpret.
 */
export const doctorRun: RunFn<DoctorOptions> = async (ctx, _args, options) => {
  const configFile = await configFileState(ctx);
  const { name, profile, mock } = await ctx.profile();
  const findings = await offlineFindings({
    profileName: name,
    profile,
    mock,
    now: ctx.now(),
    configFile,
  });
  let onlineExit: number = EXIT.OK;
  if (options.online) {
    const { onlineProbe } = await import('./online.js');
    const probe = await onlineProbe(ctx);
    findings.push(probe.finding);
    onlineExit = probe.exitCode;
  }
  const exitCode = hasFailures(findings.filter(isOffline))
    ? EXIT.CONFIG
    : onlineExit;
  report(ctx, name, mock, findings, exitCode);
  return exitCode;
};

function isOffline(finding: DoctorFinding): boolean {
  return !finding.id.startsWith('online');
}

function report(
  ctx: Context,
  name: string,
  mock: boolean,
  findings: DoctorFinding[],
  exitCode: number,
): void {
  if (ctx.out.json) {
    ctx.out.document({
      profile: name,
      mock,
      ok: exitCode === EXIT.OK,
      exit_code: exitCode,
      findings,
    });
    return;
  }
  printChecklist(
    ctx,
    `Profile "${name}"${mock ? ' (simulator)' : ''}`,
    findings,
  );
}

/**
 * The config file's permissions before and after the store opens it: the
 * store tightens a loose file to 0600 on open, and the doctor says so, since
 * the API key was readable until then.
 */
async function configFileState(ctx: Context) {
  const path = join(ctx.configDir, 'config.json');
  if (!existsSync(path)) return undefined;
  const wasReadableByOthers = (statSync(path).mode & 0o077) !== 0;
  const store = await ctx.store();
  return {
    path: store.path,
    wasReadableByOthers,
    readableByOthers: store.readableByOthers(),
    folder: {
      path: ctx.configDir,
      writableByOthers: (statSync(ctx.configDir).mode & 0o022) !== 0,
    },
  };
}
