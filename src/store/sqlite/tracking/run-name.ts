/**
 * MLflow's generated run names, `<adjective>-<noun>-<int>` of at most 20 characters (e.g.
 * `bright-owl-42`), with the word lists of `mlflow/utils/name_utils.py` (MLflow 3.17.2).
 */

// biome-ignore format: MLflow's word list, several words a line
const PREDICATES: readonly string[] = [
  "abundant", "able", "abrasive", "adorable", "adaptable", "adventurous", "aged", "agreeable",
  "ambitious", "amazing", "amusing", "angry", "auspicious", "awesome", "bald", "beautiful",
  "bemused", "bedecked", "big", "bittersweet", "blushing", "bold", "bouncy", "brawny", "bright",
  "burly", "bustling", "calm", "capable", "carefree", "capricious", "caring", "casual", "charming",
  "chill", "classy", "clean", "clumsy", "colorful", "crawling", "dapper", "debonair", "dashing",
  "defiant", "delicate", "delightful", "dazzling", "efficient", "enchanting", "entertaining",
  "enthused", "exultant", "fearless", "flawless", "fortunate", "fun", "funny", "gaudy", "gentle",
  "gifted", "glamorous", "grandiose", "gregarious", "handsome", "hilarious", "honorable",
  "illustrious", "incongruous", "indecisive", "industrious", "intelligent", "inquisitive",
  "intrigued", "invincible", "judicious", "kindly", "languid", "learned", "legendary", "likeable",
  "loud", "luminous", "luxuriant", "lyrical", "magnificent", "marvelous", "masked", "melodic",
  "merciful", "mercurial", "monumental", "mysterious", "nebulous", "nervous", "nimble", "nosy",
  "omniscient", "orderly", "overjoyed", "peaceful", "painted", "persistent", "placid", "polite",
  "popular", "powerful", "puzzled", "rambunctious", "rare", "rebellious", "respected", "resilient",
  "righteous", "receptive", "redolent", "resilient", "rogue", "rumbling", "salty", "sassy",
  "secretive", "selective", "sedate", "serious", "shivering", "skillful", "sincere", "skittish",
  "silent", "smiling", "sneaky", "sophisticated", "spiffy", "stately", "suave", "stylish",
  "tasteful", "thoughtful", "thundering", "traveling", "treasured", "trusting", "unequaled", "upset",
  "unique", "unleashed", "useful", "upbeat", "unruly", "valuable", "vaunted", "victorious",
  "welcoming", "whimsical", "wistful", "wise", "worried", "youthful", "zealous",
];

// biome-ignore format: MLflow's word list, several words a line
const NOUNS: readonly string[] = [
  "ant", "ape", "asp", "auk", "bass", "bat", "bear", "bee", "bird", "boar", "bug", "calf", "carp",
  "cat", "chimp", "cod", "colt", "conch", "cow", "crab", "crane", "croc", "crow", "cub", "deer",
  "doe", "dog", "dolphin", "donkey", "dove", "duck", "eel", "elk", "fawn", "finch", "fish", "flea",
  "fly", "foal", "fowl", "fox", "frog", "gnat", "gnu", "goat", "goose", "grouse", "grub", "gull",
  "hare", "hawk", "hen", "hog", "horse", "hound", "jay", "kit", "kite", "koi", "lamb", "lark",
  "loon", "lynx", "mare", "midge", "mink", "mole", "moose", "moth", "mouse", "mule", "newt", "owl",
  "ox", "panda", "penguin", "perch", "pig", "pug", "quail", "ram", "rat", "ray", "robin", "roo",
  "rook", "seal", "shad", "shark", "sheep", "shoat", "shrew", "shrike", "shrimp", "skink", "skunk",
  "sloth", "slug", "smelt", "snail", "snake", "snipe", "sow", "sponge", "squid", "squirrel", "stag",
  "steed", "stoat", "stork", "swan", "tern", "toad", "trout", "turtle", "vole", "wasp", "whale",
  "wolf", "worm", "wren", "yak", "zebra",
];

const MAX_LENGTH = 20;
const ATTEMPTS = 10;

/**
 * A random run name as MLflow's `_generate_random_name`: up to 10 draws for one of at most 20
 * characters, else the last draw truncated.
 * @param random - Uniform in [0, 1). @defaultValue Math.random
 * @example
 * generateRunName() // "bright-owl-42"
 * @internal
 */
export function generateRunName(random: () => number = Math.random): string {
  let name = "";
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    name = `${pick(PREDICATES, random)}-${pick(NOUNS, random)}-${Math.floor(random() * 1001)}`;
    if (name.length <= MAX_LENGTH) return name;
  }
  return name.slice(0, MAX_LENGTH);
}

function pick(words: readonly string[], random: () => number): string {
  return words[Math.floor(random() * words.length)]!;
}
