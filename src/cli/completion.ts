/**
 * `evaporate completion bash|zsh|fish`: a completion script built from the same command and option tables as
 * --help, so it never lists an option a command does not take. Options whose value is a choice (`direct|code|code+`)
 * complete to the choices; others complete to file names.
 */
import { applyCommand } from './apply.ts';
import { benchCommand } from './bench.ts';
import { discoverCommand } from './discover.ts';
import { EXIT, UsageError } from './errors.ts';
import { estimateCommand } from './estimate.ts';
import { evalCommand } from './eval.ts';
import { extractCommand } from './extract.ts';
import { OPTIONS, type CommandSpec, type OptionName } from './options.ts';
import { reportCommand } from './report.ts';
import { workerCommand } from './worker.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export const completionCommand: CommandSpec = {
  name: 'completion',
  usage: 'evaporate completion bash|zsh|fish',
  summary: 'Print a shell completion script for commands, options and option values.',
  options: [],
  examples: [
    'source <(evaporate completion bash)            # in ~/.bashrc',
    'evaporate completion zsh > "${fpath[1]}/_evaporate"',
    'evaporate completion fish > ~/.config/fish/completions/evaporate.fish',
  ],
};

const COMMANDS: readonly CommandSpec[] = [extractCommand, discoverCommand, applyCommand, estimateCommand, evalCommand, benchCommand, reportCommand, workerCommand, completionCommand];

export async function runCompletion(argv: string[]): Promise<number> {
  const [shell, extra] = argv;
  if (shell === '--help' || shell === '-h') {
    process.stdout.write(`Usage: ${completionCommand.usage}\n\n${completionCommand.summary}\n\nExamples:\n${completionCommand.examples.map((e) => `  ${e}`).join('\n')}\n`);
    return EXIT.done;
  }
  if (!SHELLS.includes(shell as Shell) || extra !== undefined) throw new UsageError(`evaporate completion needs one shell: ${SHELLS.join(', ')}`);
  process.stdout.write(completionScript(shell as Shell));
  return EXIT.done;
}

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bashScript() : shell === 'zsh' ? zshScript() : fishScript();
}

const optionsOf = (command: CommandSpec): OptionName[] => [...command.options, ...(command.options.length ? (['config', 'help'] as const) : (['help'] as const))];
/** `direct|code|code+` → its choices; a placeholder such as `file.json` or `n` → none. */
const choicesOf = (name: OptionName): string[] => {
  const value: string | undefined = (OPTIONS[name] as { value?: string }).value;
  return value?.includes('|') && !value.includes(':') ? value.split('|') : [];
};
const takesValue = (name: OptionName): boolean => OPTIONS[name].type === 'string';
const summaryOf = (command: CommandSpec): string => command.summary.split(/[.:(]/)[0]?.trim().toLowerCase() ?? command.name;

function bashScript(): string {
  const cases = COMMANDS.map((command) => `    ${command.name}) opts="${optionsOf(command).map((name) => `--${name}`).join(' ')}" ;;`).join('\n');
  const choices = [...new Set(COMMANDS.flatMap(optionsOf))].filter((name) => choicesOf(name).length > 0);
  const valueCases = choices.map((name) => `    --${name}) COMPREPLY=($(compgen -W "${choicesOf(name).join(' ')}" -- "$cur")); return ;;`).join('\n');
  return `# bash completion for evaporate (evaporate completion bash)
_evaporate() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${COMMANDS.map((command) => command.name).join(' ')}" -- "$cur"))
    return
  fi
  case "$prev" in
${valueCases}
  esac
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _evaporate evaporate
`;
}

const zshQuote = (text: string): string => text.replace(/'/g, `'\\''`).replace(/([[\]:])/g, '\\$1');

function zshScript(): string {
  const describe = COMMANDS.map((command) => `    '${command.name}:${zshQuote(summaryOf(command))}'`).join('\n');
  const cases = COMMANDS.map((command) => {
    const specs = optionsOf(command).map((name) => {
      const option = OPTIONS[name] as { help: string; value?: string; multiple?: boolean };
      const head = `${option.multiple ? '*' : ''}--${name}[${zshQuote(option.help)}]`;
      if (!takesValue(name)) return `'${head}'`;
      const choices = choicesOf(name);
      return `'${head}:${zshQuote(option.value ?? 'value')}:${choices.length ? `(${choices.join(' ')})` : '_files'}'`;
    });
    return `    ${command.name})\n      _arguments ${[...specs, "'*:file:_files'"].join(' \\\n        ')} ;;`;
  }).join('\n');
  return `#compdef evaporate
# zsh completion for evaporate (evaporate completion zsh)
_evaporate() {
  local -a commands
  commands=(
${describe}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  case $command in
${cases}
  esac
}
if [ "$funcstack[1]" = "_evaporate" ]; then _evaporate "$@"; else compdef _evaporate evaporate; fi
`;
}

const fishQuote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishScript(): string {
  const names = COMMANDS.map((command) => command.name).join(' ');
  const lines = [
    '# fish completion for evaporate (evaporate completion fish)',
    ...COMMANDS.map((command) => `complete -c evaporate -n "not __fish_seen_subcommand_from ${names}" -f -a ${command.name} -d ${fishQuote(summaryOf(command))}`),
  ];
  for (const command of COMMANDS) {
    for (const name of optionsOf(command)) {
      const choices = choicesOf(name);
      const value = !takesValue(name) ? '' : choices.length ? ` -x -a ${fishQuote(choices.join(' '))}` : ' -r -F';
      lines.push(`complete -c evaporate -n "__fish_seen_subcommand_from ${command.name}" -l ${name}${value} -d ${fishQuote(OPTIONS[name].help)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
