// Log masking: every secret is registered with the runner before it could be logged.
import type { ActionIO } from './runtime.js';

type Masking = Pick<ActionIO, 'setSecret'>;

export function maskSecret(io: Masking, value: string | undefined): void {
  if (value) io.setSecret(value);
}

/** Masks the password of a URL, raw and percent-decoded; a string that is not a URL is left alone. */
export function maskUrlSecret(io: Masking, url: string | undefined): void {
  if (!url) return;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return;
  }
  if (!password) return;
  maskSecret(io, password);
  try {
    maskSecret(io, decodeURIComponent(password));
  } catch {
    // A malformed %-escape: the raw form is masked, and that is the form that appears.
  }
}
