// The action's own steps around the engine's, decided from the inputs before anything runs, so a failed
// run can still report every step it never reached.
import type { ActionOptions } from './inputs.js';

export type ActionStepId = 'services' | 'download' | 'restore' | 'engine' | 'save' | 'dump' | 'load' | 'publish';

export interface PlannedStep {
  id: ActionStepId;
  title: string;
}

type PlanInputs = Pick<ActionOptions, 'command' | 'cache' | 'incremental' | 'load' | 'artifact' | 'publish'> & Partial<Pick<ActionOptions, 'lookupOnly'>>;

/** In run order. `engine` stands for the engine's own steps (initialize or seed), reported by the engine. */
export function planActionSteps(o: PlanInputs): PlannedStep[] {
  const steps: PlannedStep[] = [{ id: 'services', title: 'Start or wait for the services' }];
  const download = o.artifact ? [{ id: 'download' as const, title: `Download the published backup "${o.artifact.name}"` }] : [];
  const publish = o.publish ? [{ id: 'publish' as const, title: `Publish "${o.publish}" as a workflow artifact` }] : [];
  switch (o.command) {
    case 'initialize':
      if (o.lookupOnly) {
        steps.push({ id: 'restore', title: 'Look "_init" up in the cache' });
        break;
      }
      steps.push(...download);
      // With an artifact, the restore runs only if the download falls back.
      if (o.cache && !o.load) steps.push({ id: 'restore', title: 'Restore "_init" from the cache' });
      steps.push({ id: 'engine', title: 'Initialize the database' });
      if (o.cache) steps.push({ id: 'save', title: 'Save "_init" to the cache' });
      steps.push(...publish);
      break;
    case 'seed':
      steps.push({ id: 'engine', title: 'Seed the database' });
      if (o.cache) steps.push({ id: 'save', title: 'Save "_init" to the cache' });
      steps.push(...publish);
      break;
    case 'dump':
      steps.push({ id: 'dump', title: `Dump the database${o.publish ? ` as "${o.publish}"` : ''}` }, ...publish);
      break;
    case 'load':
      steps.push(...download, { id: 'load', title: `Load backup "${o.load ?? o.artifact?.name ?? ''}"` });
      break;
  }
  return steps;
}
