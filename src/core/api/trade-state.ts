/**
 * orderquery's trade_state, level 3 of the status model (spec 3 and 4.2).
 * `final` marks states that will not change by waiting (REFUND counts: the
 * payment itself succeeded).
 */
export interface TradeStateInfo {
  state: string;
  meaning: string;
  final: boolean;
  /** The payer's money reached the merchant. */
  paid: boolean;
}

const STATES: Record<string, Omit<TradeStateInfo, 'state'>> = {
  SUCCESS: { meaning: 'paid', final: true, paid: true },
  REFUND: {
    meaning: 'paid, then a refund was started',
    final: true,
    paid: true,
  },
  NOTPAY: { meaning: 'not paid yet', final: false, paid: false },
  CLOSED: { meaning: 'closed; it can never be paid', final: true, paid: false },
  REVOKED: { meaning: 'reversed (micropay)', final: true, paid: false },
  USERPAYING: {
    meaning: 'the payer is paying (entering the password)',
    final: false,
    paid: false,
  },
  PAYERROR: {
    meaning: 'payment failed (for example a bank error)',
    final: true,
    paid: false,
  },
  ACCEPT: {
    meaning: 'accepted, waiting for the debit',
    final: false,
    paid: false,
  },
};

export const TRADE_STATES = Object.keys(STATES);

export function describeTradeState(state: string): TradeStateInfo {
  const known = STATES[state];
  if (known) return { state, ...known };
  return {
    state,
    meaning: 'a state wxpay does not know',
    final: false,
    paid: false,
  };
}
