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

/**
 * On a terminal, the checklist: one line per finding, its fix indented
 * under it, a summary. Piped: tab-separated level, id, message and fix per
 * finding, the summary on stderr.
 */
export function printChecklist(
  ctx: Context,
  heading: string,
  findings: DoctorFinding[],
): void {
  if (!ctx.out.stdoutIsTTY) {
    for (const finding of findings) {
      ctx.out.data(
        [finding.level, finding.id, finding.message, finding.fix ?? ''].join(
          '\t',
        ),
      );
    }
    // The lines stay plain for scripts; the status line on stderr is
    // coloured when stderr is a terminal or FORCE_COLOR asks for it.
    ctx.out.info(paintSummary(ctx.out.errColor, summary(findings)));
    return;
  }
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
  ctx.out.data(paintSummary(color, summary(findings)));
}

function paintSummary(color: Context['out']['color'], text: string): string {
  if (text === ALL_PASSED) return color.green(text);
  return text.startsWith('0 problem') ? color.yellow(text) : color.red(text);
}

const ALL_PASSED = 'All checks passed.';

function summary(findings: DoctorFinding[]): string {
  const failed = findings.filter((finding) => finding.level === 'fail').length;
  const warned = findings.filter((finding) => finding.level === 'warn').length;
  return failed + warned === 0
    ? ALL_PASSED
    : `${failed} problem(s), ${warned} warning(s).`;
}
