// The codes of every error this package throws, in one table (docs/errors.md lists them). All are
// ValidationErrors (EvHub ret.code 10000) whose message starts with the path of the bad field.
export const EvhubErrorCode = {
  /** A Report/Prepare/Commit field is invalid. */
  reportInvalid: 'EY_REPORT_INVALID',
  /** A processor or producer config field is invalid. */
  invalidConfig: 'EY_INVALID_CONFIG',
  /** A processor's JSON payload `filter` is invalid. */
  invalidFilter: 'EY_INVALID_FILTER',
  /** A processor's `filter_tag` is invalid. */
  invalidFilterTag: 'EY_INVALID_FILTER_TAG',
} as const;
export type EvhubErrorCode = (typeof EvhubErrorCode)[keyof typeof EvhubErrorCode];
