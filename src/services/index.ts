// Picks the service provider by name (`--services`, the action's `services` input).
import { UsageError } from '../core/errors.js';
import { dockerProvider } from './docker-provider.js';
import { externalProvider } from './external-provider.js';
import { localProvider } from './local-provider.js';
import { PROVIDER_NAMES, type ProviderName, type ServiceProvider } from './provider.js';

export { DEV_PASSWORD, PROVIDER_NAMES, serviceOptions } from './provider.js';
export type { ProviderName, ServiceOptions, ServiceOptionsInput, ServiceProvider, Services } from './provider.js';

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

export function providerFor(name: string): ServiceProvider {
  const wanted = name.trim().toLowerCase();
  if (!isProviderName(wanted)) {
    throw new UsageError(
      `Unknown services provider ${JSON.stringify(name)}.`,
      `Use one of: ${PROVIDER_NAMES.join(', ')} (docker starts containers, external uses running services, local starts the installed server binaries).`,
    );
  }
  switch (wanted) {
    case 'docker':
      return dockerProvider();
    case 'external':
      return externalProvider();
    case 'local':
      return localProvider();
  }
}
export { removeContainers } from './docker-provider.js';
