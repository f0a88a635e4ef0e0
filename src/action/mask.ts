// Log masking: every secret is registered with the runner (core.setSecret) once, before it could be logged.
import * as core from '@actions/core';

const masked = new Set<string>();

export function maskSecret(value: string | undefined): void {
  if (!value || masked.has(value)) return;
  masked.add(value);
  core.setSecret(value);
}

/** Masks the password of a URL, raw and percent-decoded; a string that is not a URL is left alone. */
export function maskUrlSecret(url: string | undefined): void {
  if (!url) return;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return;
  }
  if (!password) return;
  maskSecret(password);
  try {
    maskSecret(decodeURIComponent(password));
  } catch {
    // A malformed %-escape: the raw form is masked, and that is the form that appears.
  }
}
