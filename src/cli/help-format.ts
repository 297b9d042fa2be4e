// How option and argument descriptions read in --help. Commander appends "(default: ...)" on its
// own, which doubled the defaults our descriptions already state ("(default: stdin) (default: "-")"),
// and it never says that an option is required (`recover --since`). Installed on the root command
// before any subcommand is added, so every command inherits it.

import { Help, type Argument, type Option } from 'commander';

const base = new Help();
const MENTIONS_DEFAULT = /\bdefault\b/i;

export function optionDescription(option: Option): string {
  const extras: string[] = [];
  if (option.mandatory) extras.push('required');
  if (option.argChoices) extras.push(`choices: ${option.argChoices.join(', ')}`);
  if (option.defaultValue !== undefined && !option.negate && !MENTIONS_DEFAULT.test(option.description)) {
    extras.push(`default: ${option.defaultValueDescription ?? JSON.stringify(option.defaultValue)}`);
  }
  if (option.envVar !== undefined) extras.push(`env: ${option.envVar}`);
  return extras.length === 0 ? option.description : `${option.description} (${extras.join('; ')})`;
}

export function argumentDescription(argument: Argument): string {
  if (argument.defaultValue === undefined || MENTIONS_DEFAULT.test(argument.description)) return argument.description;
  return base.argumentDescription(argument);
}

export const helpConfiguration = { optionDescription, argumentDescription };
