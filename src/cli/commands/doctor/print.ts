import type {
  DoctorFinding,
  DoctorFindingLevel,
} from '../../../core/doctor.js';
import type { Context } from '../../context.js';

const MARK: Record<DoctorFindingLevel, string> = {
  ok: '✓',
  warn: '!',
  fail: '✗',
  skip: '-',
};

/** The checklist: one line per finding, its fix indented under it. */
export function printChecklist(
  ctx: Context,
  heading: string,
  findings: DoctorFinding[],
): void {
  const { color } = ctx.out;
  const paint: Record<DoctorFindingLevel, (text: string) => string> = {
    ok: color.green,
    warn: color.yellow,
    fail: color.red,
    skip: color.dim,
  };
  ctx.out.data(color.bold(heading));
  for (const finding of findings) {
    ctx.out.data(
      `  ${paint[finding.level](MARK[finding.level])} ${finding.message}`,
    );
    if (finding.fix && finding.level !== 'ok') {
      ctx.out.data(color.dim(`      fix: ${finding.fix}`));
    }
  }
  const failed = findings.filter((finding) => finding.level === 'fail').length;
  const warned = findings.filter((finding) => finding.level === 'warn').length;
  ctx.out.data(
    failed + warned === 0
      ? color.green('All checks passed.')
      : `${failed} problem(s), ${warned} warning(s).`,
  );
}
