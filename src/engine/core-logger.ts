/** The Logger backed by @actions/core; every line is redacted before it is written. */
import * as core from '@actions/core';
import { redact } from './redact.js';
import type { SecretStore } from './secrets.js';
import type { Logger } from './types.js';

export function createCoreLogger(secrets: SecretStore): Logger {
  const clean = (message: string) => redact(message, secrets.list());
  return {
    info: (m) => core.info(clean(m)),
    warning: (m) => core.warning(clean(m)),
    notice: (m) => core.notice(clean(m)),
    debug: (m) => core.debug(clean(m)),
    group: (name, fn) => core.group(clean(name), fn),
    setSecret: (value) => secrets.add(value)
  };
}
