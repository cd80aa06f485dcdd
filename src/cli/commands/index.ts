import type { Command } from 'commander';
import { examples, type Kit } from '../command-kit.js';

interface Group {
  /** The top-level commands the group registers, with their summaries. */
  commands: Record<string, string>;
  /** Examples for the help of the group's top-level commands. */
  examples?: Record<string, string[]>;
  /** Imports the group's registration (only for the command that runs). */
  load(): Promise<(program: Command, kit: Kit) => void>;
}

/**
 * Every command group, in the order `wxpay --help` lists them. The summaries
 * repeat each group's own description (a test keeps them equal) so that the
 * root help can list a group without building its options.
 */
export const GROUPS: Group[] = [
  {
    commands: {
      order: 'create, query and close orders (the main job)',
      paysign: 'rebuild the client pay parameters (paySign) for a prepay_id',
      openid: 'exchange a wx.login code for the openid (jscode2session)',
    },
    load: async () => (await import('./order/index.js')).registerOrder,
    examples: {
      order: [
        'wxpay order create --mock --body "Test order" --amount 0.01 --openid oTESTopenid0000000000000000A',
        'wxpay order query --mock --out-trade-no 20240101000001 --watch',
        'wxpay order close --out-trade-no 20240101000001',
      ],
    },
  },
  {
    commands: {
      sign: 'sign parameters the WeChat Pay v2 way and explain the result',
    },
    load: async () => (await import('./sign/index.js')).registerSign,
  },
  {
    commands: {
      notify:
        'payment and refund notifications: verify, listen, trigger (test your notify_url handler)',
    },
    load: async () => (await import('./notify/index.js')).registerNotify,
    examples: {
      notify: [
        'wxpay notify verify notify.xml --reply',
        'wxpay notify listen --mock --port 8780 --forward-to http://127.0.0.1:3000/wxpay/notify',
        'wxpay notify trigger --mock --to http://127.0.0.1:3000/wxpay/notify --amount 0.01 --repeat 3 --tamper',
      ],
    },
  },
  {
    commands: {
      refund:
        'refund an order and follow its refunds (needs the merchant certificate)',
    },
    load: async () => (await import('./refund/index.js')).registerRefund,
    examples: {
      refund: [
        'wxpay refund create --out-trade-no 20240101000001 --total 0.01 --refund 0.01 --yes',
        'wxpay refund query --out-trade-no 20240101000001 --json',
      ],
    },
  },
  {
    commands: {
      bill: 'download, parse and reconcile WeChat Pay trade bills',
    },
    load: async () => (await import('./bill/index.js')).registerBill,
    examples: {
      bill: [
        'wxpay bill download --date 20240101 --out bills/',
        'wxpay bill parse bills/bill-ALL-20240101.csv --format ndjson',
        'wxpay bill reconcile --date 20240101 --dir bills/ --orders orders.csv --json',
      ],
    },
  },
  {
    commands: {
      fundflow:
        'fund-flow bills of the merchant accounts (needs the certificate)',
    },
    load: async () => (await import('./download/index.js')).registerFundflow,
    examples: {
      fundflow: [
        'wxpay fundflow download --date 20240101 --account-type Basic --out bills/',
      ],
    },
  },
  {
    commands: {
      token:
        'get the mini-program access_token (cached; stable_token endpoint by default)',
      kf: 'customer-service messages: verify the push URL, decrypt pushes, send, listen',
    },
    load: async () => (await import('./kf/index.js')).registerKf,
    examples: {
      token: ['wxpay token --mock', 'wxpay token --force-refresh'],
      kf: [
        'wxpay kf verify-url --url "https://shop.example.com/kf?signature=…&timestamp=…&nonce=…&echostr=…"',
        'wxpay kf listen --mock --port 8781',
        'wxpay kf send --mock --openid oWxPayCases2TestUser00000001 --text "Hello"',
      ],
    },
  },
  {
    commands: {
      mock: 'the local WeChat Pay simulator: serve it, pay orders, inject faults',
    },
    load: async () => (await import('./mock/index.js')).registerMock,
    examples: {
      mock: [
        'wxpay mock serve --port 8700',
        'wxpay mock pay 20240101000001 --speed 60',
        'wxpay mock fault --url http://127.0.0.1:8700 --path /pay/unifiedorder --err-code SYSTEMERROR --count 2',
      ],
    },
  },
  {
    commands: {
      config: 'manage merchant profiles (stored mode 0600)',
    },
    load: async () => (await import('./config/index.js')).registerConfig,
    examples: {
      config: [
        'wxpay config init',
        'wxpay config list',
        'wxpay config use shop',
      ],
    },
  },
  {
    commands: {
      doctor:
        'check the active profile: key, ids, certificate, file permissions',
    },
    load: async () => (await import('./doctor/index.js')).registerDoctor,
  },
];

function addGroupExamples(program: Command, group: Group): void {
  for (const [name, lines] of Object.entries(group.examples ?? {})) {
    const command = program.commands.find((c) => c.name() === name);
    // Leaf commands (sign, doctor, openid) carry their own examples.
    if (command && command.commands.length > 0) examples(command, lines);
  }
}

/**
 * The root options work after any command (`wxpay sign … --json`), but
 * commander lists them only in the root help. Its showGlobalOptions would
 * also repeat every parent command's own flags, which do not all apply.
 */
function addGlobalOptionsNote(command: Command): void {
  command.addHelpText(
    'after',
    '\nGlobal options: --json, -v/--verbose, -p/--profile <name>, --mock, --show-secrets, --no-color, --no-input (see wxpay --help).',
  );
  for (const sub of command.commands) addGlobalOptionsNote(sub);
}

/** Root options that take a value, so their value is not a command name. */
const VALUE_OPTIONS = new Set(['-p', '--profile']);

/** The top-level command a command line runs, if any. */
export function selectedCommand(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') return argv[i + 1];
    if (VALUE_OPTIONS.has(token)) {
      i++;
      continue;
    }
    if (token.startsWith('-')) continue;
    return token === 'help' ? argv[i + 1] : token;
  }
  return undefined;
}

/**
 * Registers the command groups. Only the group that runs is imported and
 * declares its flags and sub-commands; the others appear by name and
 * summary, which is all the root help shows. Loading and building every
 * command cost more than Node's own start-up.
 */
export async function registerCommands(
  program: Command,
  kit: Kit,
  argv: string[],
): Promise<void> {
  const selected = selectedCommand(argv);
  for (const group of GROUPS) {
    if (selected !== undefined && selected in group.commands) {
      (await group.load())(program, kit);
      addGroupExamples(program, group);
      for (const name of Object.keys(group.commands)) {
        const command = program.commands.find((c) => c.name() === name);
        if (command) addGlobalOptionsNote(command);
      }
      continue;
    }
    for (const [name, summary] of Object.entries(group.commands)) {
      program.command(name).description(summary);
    }
  }
}
