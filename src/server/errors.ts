/**
 * Every error text the server sends, byte for byte as Redis 7 sends it (clients match on them).
 * Why one file: a reply text is part of the protocol; keeping them together makes them easy to
 * audit against Redis and impossible to drift apart between commands.
 * Invariants: texts carry their prefix ('ERR ', 'WRONGTYPE ', ...) and no CR/LF; text built from
 * client bytes goes through `sanitizeForReply` first (Redis replaces CR/LF with spaces).
 * Editing rule while several people work here: add new constants in the section of your family.
 */

// ---- generic ----------------------------------------------------------------------------------
export const SYNTAX_ERROR = 'ERR syntax error';
export const NOT_INTEGER_ERROR = 'ERR value is not an integer or out of range';
export const NOT_FLOAT_ERROR = 'ERR value is not a valid float';
export const WRONG_TYPE_ERROR = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NO_SUCH_KEY_ERROR = 'ERR no such key';
export const OVERFLOW_ERROR = 'ERR increment or decrement would overflow';
export const NAN_OR_INFINITY_ERROR = 'ERR increment would produce NaN or Infinity';
export const STRING_TOO_LARGE_ERROR = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const OFFSET_OUT_OF_RANGE_ERROR = 'ERR offset is out of range';
export const INVALID_EXPIRE_ERROR_PREFIX = 'ERR invalid expire time in '; // + "'set' command"
export const DB_INDEX_OUT_OF_RANGE_ERROR = 'ERR DB index is out of range';
export const SAME_OBJECT_ERROR = 'ERR source and destination objects are the same';
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";
export const INTERNAL_ERROR = 'ERR internal error';
export const TIMEOUT_NEGATIVE_ERROR = 'ERR timeout is negative';
export const NX_XX_GT_LT_ERROR =
  'ERR NX and XX, GT or LT options at the same time are not compatible';
export const GT_LT_NX_ERROR = 'ERR GT, LT, and/or NX options at the same time are not compatible';
export const GT_LT_ERROR = 'ERR GT and LT options at the same time are not compatible';
export const DECREMENT_OVERFLOW_ERROR = 'ERR decrement would overflow';
export const INVALID_CURSOR_ERROR = 'ERR invalid cursor';
export const INVALID_FIRST_DB_INDEX_ERROR = 'ERR invalid first DB index';
export const INVALID_SECOND_DB_INDEX_ERROR = 'ERR invalid second DB index';
export const LFU_NOT_SELECTED_ERROR =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
export const LFU_SELECTED_ERROR =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
/** EXPIRE's `ERR Unsupported option <opt>`. */
export function unsupportedOptionError(option: string): string {
  return `ERR Unsupported option ${sanitizeForReply(option)}`;
}
export const LCS_WRONG_TYPE_ERROR = 'ERR The specified keys must contain string values';
export const LCS_LEN_AND_IDX_ERROR = 'ERR If you want both the length and indexes, please just use IDX.';
export const LCS_TABLE_TOO_LARGE_ERROR =
  'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';
export const LCS_ALLOCATION_FAILED_ERROR = 'ERR Insufficient memory, failed allocating transient memory for LCS';

// ---- dispatch ---------------------------------------------------------------------------------
/** `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' ` (note trailing space). */
export function unknownCommandError(name: string, args: readonly string[]): string {
  const quoted = args.map((arg) => `'${arg}' `).join('');
  return `ERR unknown command '${sanitizeForReply(name)}', with args beginning with: ${sanitizeForReply(quoted)}`;
}
export function unknownSubcommandError(command: string, subcommand: string): string {
  return `ERR unknown subcommand '${sanitizeForReply(subcommand)}'. Try ${command.toUpperCase()} HELP.`;
}
export function wrongArityError(name: string): string {
  return `ERR wrong number of arguments for '${sanitizeForReply(name.toLowerCase())}' command`;
}
export function invalidExpireError(command: string): string {
  return `${INVALID_EXPIRE_ERROR_PREFIX}'${command.toLowerCase()}' command`;
}
export const NOAUTH_ERROR = 'NOAUTH Authentication required.';
export const WRONGPASS_ERROR =
  'WRONGPASS invalid username-password pair or user is disabled.';
export const AUTH_NOT_CONFIGURED_ERROR =
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';
export const NOPROTO_ERROR = 'NOPROTO unsupported protocol version';

// ---- protocol ---------------------------------------------------------------------------------
export function protocolError(detail: string): string {
  return `ERR Protocol error: ${detail}`;
}
export const PROTOCOL_INVALID_MULTIBULK_LENGTH = protocolError('invalid multibulk length');
export const PROTOCOL_INVALID_BULK_LENGTH = protocolError('invalid bulk length');
export const PROTOCOL_TOO_BIG_INLINE = protocolError('too big inline request');
export const PROTOCOL_TOO_BIG_MBULK = protocolError('too big mbulk count string');
export const PROTOCOL_TOO_BIG_BULK = protocolError('too big bulk count string');
export const PROTOCOL_UNBALANCED_QUOTES = protocolError('unbalanced quotes in request');
export const PROTOCOL_UNAUTHENTICATED_MULTIBULK_LENGTH = protocolError('unauthenticated multibulk length');
export const PROTOCOL_UNAUTHENTICATED_BULK_LENGTH = protocolError('unauthenticated bulk length');
export function protocolExpectedError(expected: string, got: string): string {
  return protocolError(`expected '${expected}', got '${sanitizeForReply(got)}'`);
}
export const MAX_CLIENTS_ERROR = 'ERR max number of clients reached';

// ---- transactions -----------------------------------------------------------------------------
export const MULTI_NESTED_ERROR = 'ERR MULTI calls can not be nested';
export const EXEC_WITHOUT_MULTI_ERROR = 'ERR EXEC without MULTI';
export const DISCARD_WITHOUT_MULTI_ERROR = 'ERR DISCARD without MULTI';
export const WATCH_INSIDE_MULTI_ERROR = 'ERR WATCH inside MULTI is not allowed';
export const EXECABORT_ERROR = 'EXECABORT Transaction discarded because of previous errors.';

// ---- pub/sub ----------------------------------------------------------------------------------
export function pubsubContextError(command: string): string {
  return `ERR Can't execute '${command.toLowerCase()}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

// ---- persistence ------------------------------------------------------------------------------
export const BGSAVE_IN_PROGRESS_ERROR = 'ERR Background save already in progress';
export const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
export const LOADING_ERROR = 'LOADING Redis is loading the dataset in memory';

// ---- server core: connection, server, client, config commands ----------------------------------
export const NOT_ALLOWED_IN_MULTI_ERROR = 'ERR Command not allowed inside a transaction';
export const HELLO_PROTOCOL_NOT_INTEGER_ERROR = 'ERR Protocol version is not an integer or out of range';
export function helloSyntaxError(option: string): string {
  return `ERR Syntax error in HELLO option '${sanitizeForReply(option)}'`;
}
export const HELLO_NOAUTH_ERROR =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
export const NO_SUCH_CLIENT_ERROR = 'ERR No such client';
export const CLIENT_NAME_INVALID_ERROR = 'ERR Client names cannot contain spaces, newlines or special characters.';
export function clientSetinfoInvalidError(attribute: string): string {
  return `ERR ${attribute} cannot contain spaces, newlines or special characters.`;
}
export const CLIENT_TIMEOUT_INVALID_ERROR = 'ERR timeout is not an integer or out of range';
export const CLIENT_TRACKING_UNSUPPORTED_ERROR = 'ERR CLIENT TRACKING is not supported by this server';
export const CONFIG_WITHOUT_FILE_ERROR = 'ERR The server is running without a config file';
export function configSetFailedError(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${sanitizeForReply(name)}') - ${reason}`;
}
export function configSetUnknownError(name: string): string {
  return `ERR Unknown option or number of arguments for CONFIG SET - '${sanitizeForReply(name)}'`;
}
export function configRewriteFailedError(reason: string): string {
  return `ERR Rewriting config file: ${reason}`;
}
export const DEBUG_NOT_ALLOWED_ERROR =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';
export function subcommandSyntaxError(command: string, subcommand: string): string {
  return `ERR unknown subcommand or wrong number of arguments for '${sanitizeForReply(subcommand.slice(0, 128))}'. Try ${command.toUpperCase()} HELP.`;
}
export const SHUTDOWN_FAILED_ERROR = 'ERR Errors trying to SHUTDOWN. Check logs.';
export const INVALID_DB_INDEX_ERROR = 'ERR invalid DB index';
export const PROTECTED_MODE_DENIED_ERROR =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

/** Redis replaces CR and LF in echoed client bytes with spaces so a reply stays one line. */
export function sanitizeForReply(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}
