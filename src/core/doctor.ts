import {
  checkClientCertificate,
  hasCertificate,
  loadClientCertificate,
} from './cert/index.js';
import { WxPayError } from './errors.js';
import { profileWarnings, type Profile } from './profile.js';

/**
 * The offline checks behind `wxpay doctor`: each finding says what was
 * checked, what is wrong and how to fix it. No terminal code; the CLI prints
 * the list and turns failures into exit code 4.
 */
export type DoctorFindingLevel = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorFinding {
  /** Stable id, e.g. `key_whitespace`, `cert_validity`. */
  id: string;
  level: DoctorFindingLevel;
  message: string;
  /** What to do; present on warn and fail. */
  fix?: string;
}

export interface DoctorInput {
  profileName: string;
  profile: Profile;
  /** The built-in demo profile served by the simulator. */
  mock?: boolean;
  now?: Date;
  /** The config file, its permissions before and after wxpay opened it. */
  configFile?: {
    path: string;
    wasReadableByOthers: boolean;
    readableByOthers: boolean;
    /** The folder holding it: if others can write there, they can swap it. */
    folder?: { path: string; writableByOthers: boolean };
  };
}

const WHITESPACE_AT_ENDS = /^\s|\s$/;

/** Runs every offline check on a profile. */
export async function offlineFindings(
  input: DoctorInput,
): Promise<DoctorFinding[]> {
  const { profile } = input;
  return [
    ...keyFindings(profile.key),
    idFinding('appid', profile.appid, 'the mini program or official account'),
    idFinding('mch_id', profile.mch_id, 'the merchant (商户号)'),
    ...urlFindings(profile),
    ...(await certificateFindings(input)),
    ...configFileFindings(input.configFile),
  ];
}

/** Exit code 4 when any finding failed; warnings alone pass. */
export function hasFailures(findings: DoctorFinding[]): boolean {
  return findings.some((finding) => finding.level === 'fail');
}

function keyFindings(key: string | undefined): DoctorFinding[] {
  const setKey =
    'Run `wxpay config set key` and paste the API密钥 from 账户中心 > API安全 (masked prompt), or pipe it from a file.';
  if (!key) {
    return [
      {
        id: 'key',
        level: 'fail',
        message: 'The profile has no API key.',
        fix: setKey,
      },
    ];
  }
  const findings: DoctorFinding[] = [];
  if (WHITESPACE_AT_ENDS.test(key)) {
    findings.push({
      id: 'key_whitespace',
      level: 'fail',
      message:
        'The API key has leading or trailing whitespace; WeChat signs with the key exactly as written, so every request gets 签名错误.',
      fix: `${setKey} Copy it without spaces or line breaks.`,
    });
  }
  // Counted as stored: WeChat signs with these exact characters, so a
  // pasted space makes the key 33 characters, and wrong.
  const length = [...key].length;
  findings.push(
    length === 32
      ? {
          id: 'key_length',
          level: 'ok',
          message: 'The API key is 32 characters.',
        }
      : {
          id: 'key_length',
          level: 'fail',
          message:
            key.trim().length === 32
              ? `The API key is ${length} characters as stored (32 without the whitespace at its ends); WeChat signs with all ${length}, so it must be exactly the 32.`
              : `The API key is ${length} characters; the v2 API key (API密钥) is exactly 32. The AppSecret, the APIv3 key and the platform password are different secrets.`,
          fix: setKey,
        },
  );
  return findings;
}

function idFinding(
  field: 'appid' | 'mch_id',
  value: string | undefined,
  what: string,
): DoctorFinding {
  const fix = `Run \`wxpay config set ${field}\` with the ${field} of ${what}.`;
  if (!value) {
    return {
      id: field,
      level: 'fail',
      message: `The profile has no ${field}.`,
      fix,
    };
  }
  const [problem] = profileWarnings(field, value);
  if (problem || WHITESPACE_AT_ENDS.test(value)) {
    return {
      id: field,
      level: 'fail',
      message: `${field} "${value}" looks wrong: ${problem ?? 'it has whitespace at an end.'}`,
      fix,
    };
  }
  return {
    id: field,
    level: 'ok',
    message: `${field} ${value} is well formed.`,
  };
}

/** The hosts the pay client calls: it refuses to start without them. */
const CLIENT_URLS = ['base_url', 'backup_base_url', 'mp_base_url'] as const;

function urlFindings(profile: Profile): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  for (const field of ['notify_url', ...CLIENT_URLS] as const) {
    const value = profile[field];
    if (!value || value === 'mock:') continue;
    const unusable = (CLIENT_URLS as readonly string[]).includes(field);
    for (const problem of profileWarnings(field, value)) {
      findings.push({
        id: field,
        // Every API command would stop on it, so it is no mere warning.
        level: unusable ? 'fail' : 'warn',
        message: unusable
          ? `${field}: ${problem} No API call can be made with it.`
          : `${field}: ${problem}`,
        fix: `Run \`wxpay config set ${field}\` with a corrected URL.`,
      });
    }
  }
  return findings;
}

async function certificateFindings(
  input: DoctorInput,
): Promise<DoctorFinding[]> {
  const { profile } = input;
  if (!hasCertificate(profile)) {
    return [
      {
        id: 'cert',
        level: input.mock ? 'skip' : 'warn',
        message: input.mock
          ? 'The simulator needs no merchant certificate.'
          : 'No merchant API certificate is configured; refunds and fund-flow bills need it.',
        fix: input.mock
          ? undefined
          : 'Run `wxpay config set cert_p12 /path/apiclient_cert.p12` (or cert_pem and key_pem).',
      },
    ];
  }
  try {
    const cert = await loadClientCertificate(profile);
    return [
      {
        id: 'cert',
        level: 'ok',
        message: `The certificate ${cert.origin} is readable (${cert.subjectText}, serial ${cert.serialNumber}).`,
      },
      ...checkClientCertificate(cert, {
        mchId: profile.mch_id,
        now: input.now,
      }),
    ];
  } catch (error) {
    if (!(error instanceof WxPayError)) throw error;
    return [
      { id: 'cert', level: 'fail', message: error.message, fix: error.hint },
    ];
  }
}

function configFileFindings(file: DoctorInput['configFile']): DoctorFinding[] {
  if (!file) return [];
  return [...fileModeFindings(file), ...folderModeFindings(file.folder)];
}

function folderModeFindings(
  folder: { path: string; writableByOthers: boolean } | undefined,
): DoctorFinding[] {
  if (!folder?.writableByOthers) return [];
  return [
    {
      id: 'config_folder_permissions',
      level: 'fail',
      message: `${folder.path} is writable by other users: they could replace config.json (and its base_url or key).`,
      fix: `Run \`chmod 700 ${folder.path}\`.`,
    },
  ];
}

function fileModeFindings(
  file: NonNullable<DoctorInput['configFile']>,
): DoctorFinding[] {
  if (file.readableByOthers) {
    return [
      {
        id: 'config_permissions',
        level: 'fail',
        message: `${file.path} is readable by other users; it holds the API key.`,
        fix: `Run \`chmod 600 ${file.path}\`.`,
      },
    ];
  }
  if (file.wasReadableByOthers) {
    return [
      {
        id: 'config_permissions',
        level: 'warn',
        message: `${file.path} was readable by other users; wxpay has set it to 0600 (owner only).`,
        fix: 'If others could log in to this machine, reset the API key in 账户中心 > API安全 and store the new one.',
      },
    ];
  }
  return [
    {
      id: 'config_permissions',
      level: 'ok',
      message: `${file.path} is readable by its owner only.`,
    },
  ];
}
