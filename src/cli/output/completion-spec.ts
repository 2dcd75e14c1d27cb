/**
 * The command tree shell completion is generated from, read from the commander program itself
 * (commands, subcommands, options, choices), so a command added later is completed without
 * editing any completion code.
 */
import type { Command } from "commander";

/**
 * An option as completion offers it.
 * @example
 * { names: ["--view"], description: "which experiments", takesValue: true, choices: ["active", "deleted", "all"] }
 */
export interface CompletionOption {
  /** Its spellings, e.g. `["-e", "--experiment"]`. */
  names: string[];
  description: string;
  /** Whether a value follows it (`--experiment <name>`). */
  takesValue: boolean;
  /** The values it accepts, when commander lists them (`--view active|deleted|all`). */
  choices: string[];
}

/**
 * A command as completion offers it.
 * @example
 * { key: "root/runs", name: "runs", description: "list and show runs", options: [helpOption], subcommands: [list, show], argumentChoices: [] }
 */
export interface CompletionNode {
  /** Its position in the tree: `root`, `root/runs`, `root/runs/list` (also the key the scripts switch on). */
  key: string;
  name: string;
  description: string;
  options: CompletionOption[];
  subcommands: CompletionNode[];
  /** The values of its first argument, when commander lists them (`completion bash|zsh|fish`). */
  argumentChoices: string[];
}

/**
 * The completion tree of `program`, with what `--help` shows (hidden commands and options left
 * out, `-h, --help` and `-V, --version` included).
 *
 * @example
 * completionTree(createProgram(context)).subcommands.map((c) => c.name) // ["doctor", "upload", …]
 * @internal
 */
export function completionTree(program: Command, key = "root"): CompletionNode {
  const help = program.createHelp();
  const options = help.visibleOptions(program).map((option) => ({
    names: [option.short, option.long].filter((name): name is string => name !== undefined),
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
  }));
  const subcommands = help
    .visibleCommands(program)
    .filter((command) => command.name() !== "help")
    .map((command) => completionTree(command, `${key}/${command.name()}`));
  const [first] = help.visibleArguments(program);
  return { key, name: program.name(), description: program.description(), options, subcommands, argumentChoices: first?.argChoices ?? [] };
}

/**
 * Every node of the tree, parents first.
 * @example
 * allNodes(tree).map((node) => node.key) // ["root", "root/doctor", …, "root/runs", "root/runs/list", …]
 * @internal
 */
export function allNodes(node: CompletionNode): CompletionNode[] {
  return [node, ...node.subcommands.flatMap(allNodes)];
}

/**
 * A description on one line, short enough for a completion menu.
 * @example
 * menuText("upload a file or a directory (recursively) to a run's artifacts") // unchanged (under 80 characters)
 * @internal
 */
export function menuText(description: string): string {
  const line = description.replace(/\s+/g, " ").trim();
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}
