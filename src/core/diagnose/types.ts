import type { Params, SignType } from '../sign.js';

export type CauseId =
  | 'wrong_sign_type'
  | 'empty_values_signed'
  | 'null_signed_as_text'
  | 'sign_field_included'
  | 'sign_type_dropped'
  | 'sign_type_added'
  | 'url_encoded'
  | 'form_encoded'
  | 'html_entities'
  | 'cdata_markers'
  | 'lowercase_hex'
  | 'sign_whitespace'
  | 'nothing_signed'
  | 'key_whitespace'
  | 'key_missing'
  | 'key_without_prefix'
  | 'insertion_order'
  | 'natural_order'
  | 'other_secret_as_key'
  | 'amount_as_decimal'
  | 'digits_coerced'
  | 'not_utf8'
  | 'paysign_field_names'
  | 'paysign_milliseconds';

export interface Cause {
  cause: CauseId;
  message: string;
}

export interface DiagnoseInput {
  /** The parameters in the order they were given (order matters for one cause). */
  params: Params;
  key: string;
  /** The signature to explain. */
  signature: string;
  /** The algorithm the caller believes is in use; both are tried anyway. */
  signType?: SignType;
  /** Other secrets the user holds (AppSecret, sandbox key), by label. */
  otherSecrets?: { label: string; value: string }[];
}

export interface Diagnosis {
  /** True when the signature is the correct one: nothing to explain. */
  matches: boolean;
  /** The correct signature under the expected algorithm. */
  expected: string;
  signType: SignType;
  causes: Cause[];
  /**
   * False when no search was made: the signature is not 32 or 64 hex
   * characters, or the input has more fields than any WeChat body.
   */
  searched?: boolean;
  /** Why no search was made, when `searched` is false. */
  notSearchedBecause?: 'signature-not-hex' | 'too-many-fields';
}
