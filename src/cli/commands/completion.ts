/**
 * `mlflow-ts completion bash|zsh|fish`: prints a shell completion script generated from the
 * program's own commands, subcommands and options, so every command — including ones added later —
 * is completed without a hand-kept list.
 */
import { Argument, Command } from "commander";
import type { CliContext } from "../context.js";
import { bashCompletion } from "../output/completion-bash.js";
import { fishCompletion } from "../output/completion-fish.js";
import { completionTree } from "../output/completion-spec.js";
import { zshCompletion } from "../output/completion-zsh.js";

/** The shells a script is generated for: `mlflow-ts completion <shell>` refuses any other (exit 2). */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

const GENERATORS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

const HELP = `
Install (then open a new shell):
  bash:  mlflow-ts completion bash > ~/.local/share/bash-completion/completions/mlflow-ts
         (or add to ~/.bashrc: source <(mlflow-ts completion bash))
  zsh:   mlflow-ts completion zsh > "\${fpath[1]}/_mlflow-ts"
         (or add to ~/.zshrc, after compinit: source <(mlflow-ts completion zsh))
  fish:  mlflow-ts completion fish > ~/.config/fish/completions/mlflow-ts.fish`;

/**
 * The `completion` command.
 * @internal
 */
export function completionCommand(context: CliContext): Command {
  return new Command("completion")
    .description("print a shell completion script (bash, zsh or fish) for every command and option")
    .addArgument(new Argument("<shell>", "the shell").choices(COMPLETION_SHELLS))
    .addHelpText("after", HELP)
    .action((shell: (typeof COMPLETION_SHELLS)[number], _options: unknown, command: Command) => {
      let program = command;
      while (program.parent) program = program.parent;
      // Written as it is: a script holds no secret, and redaction must not touch its text.
      context.io.stdout.write(GENERATORS[shell](completionTree(program), program.name()));
    });
}
