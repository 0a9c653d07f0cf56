import { describe, expect, test } from "bun:test";
import { commandPrints, filePrints } from "../src/safety/generic/printed-secret.ts";
import { PROVIDER_NAMES } from "../src/safety/generic/provider-names.ts";
import { createRedactor } from "../src/safety/redact.ts";

// Leaks found by red-teaming realistic transcripts: each case as a user would paste or a tool would print it,
// beside ordinary text of the same neighbourhood that must stay whole.
const { redact } = createRedactor();

function exactAndKept(cases: [input: string, output: string][], kept: [why: string, text: string][]): void {
  for (const [input, output] of cases) test(input, () => expect(redact(input).text).toBe(output));
  for (const [why, text] of kept) test(`kept: ${why}`, () => expect(redact(text)).toEqual({ text, count: 0 }));
}

/** Each command's output as the Bash call's result (by what the command prints) and pasted below it after a prompt: both masked so. */
function printedAndPasted(cases: [command: string, output: string, masked: string][]): void {
  const { redactOutput } = createRedactor();
  for (const [command, output, masked] of cases) {
    test(command, () => expect(redactOutput(output, commandPrints(command) ?? "key").text).toBe(masked));
    test(`$ ${command}, pasted`, () => expect(redact(`$ ${command}\n${output}`).text).toBe(`$ ${command}\n${masked}`));
  }
}

describe("an app password written in two pairs of groups (abcd-efgh ijkl-mnop)", () => {
  exactAndKept(
    [
      ["EMAIL_HOST_PASSWORD=abcd-efgh ijkl-mnop", "EMAIL_HOST_PASSWORD=[REDACTED:password]"],
      ["Password: abcd-efgh ijkl-mnop and more", "Password: [REDACTED:password] and more"],
      ["my app password is abcd-efgh ijkl-mnop", "my app password is [REDACTED:password]"],
      ["gmail app password qwer-tyui opas-dfgh", "gmail app password [REDACTED:password]"],
    ],
    [["prose with dashed words after a password", "the password is self-made with some-what more"]],
  );
});

describe("a password told after Korean 암호 (also a cipher's word): a value drawn at random, or a strong one a copula closes", () => {
  exactAndKept(
    [
      ["암호는 Zx8Cv7Bn6Mq5", "암호는 [REDACTED:password]"],
      ["DB 암호는 \"Tr0ub4dor&3\"이에요", "DB 암호는 \"[REDACTED:password]\"이에요"],
      ["서버 암호: Zx8Cv7Bn6Mq5Lp4K", "서버 암호: [REDACTED:password]"],
      ["비밀번호는 Zx8Cv7Bn6Mq5", "비밀번호는 [REDACTED:password]"],
    ],
    [
      ["ciphers named after 암호", "암호는 ChaCha20입니다\n암호는 XChaCha20-Poly1305 입니다\n암호는 AES256-GCM 입니다\n암호는 SHA256으로 해시합니다\n암호화 방식은 RSA2048\n암호는 TLS13 입니다"],
      ["a weak word after 암호 with no copula", "암호는 hunter2\n암호는 OpenSSL3 라이브러리로"],
    ],
  );
});

describe("a quoted word after an expanded secret variable: a password drawn at random goes, a query stays", () => {
  exactAndKept(
    [
      ['echo $DB_PASSWORD "Zx8Cv7Bn6Mq5"', 'echo $DB_PASSWORD "[REDACTED:secret]"'],
      ["echo $STRIPE_API_KEY 'Zx8Cv7Bn6Mq5Lp4K'", "echo $STRIPE_API_KEY '[REDACTED:secret]'"],
    ],
    [["Flux and SQL queries after a token's variable", 'influx query -t $INFLUX_TOKEN "from(bucket: \\"x\\") |> range(start: -1h)"\nrun $API_KEY "select * from t"\npsql $DB_PASSWORD "SELECT1"']],
  );
});

describe("Together AI keys and minisign secret keys, with no word naming them", () => {
  const together = "tgp_v1_799nKSNrh9UCauSDmLhuVtcqcYezdZ-tDDj8hYs5suK";
  const scrypt = "RWRTY0IyCSkNIbGPOsh27iQYnN/pbd6dTXKBlIlBldVZSCEmKYap9iuWt0ZSjTJz+JxxbDJuHaQslRZdHCP00w4/JGIQq2DV9SMIc7JpwxIuGq1BF0GgM+3dthxNbpsBdDCyJnqrvGqnIEWiu0gyQ4iETJ5dOs1V12bntLL/oNqJdTszdWdMilqbVIrtDHljJVRmIeylzDP6OFaX9ts=";
  const plain = "RWQAAEIyXNEnxM0IcoL/KE97wruFz/RP2dW1tGDCGJ4uEJ3I6ZTCda7sFhQpu2/XD9vtNCh2fCrL4RVj4hTOI04i+nOsNoptvDp+nvcIyzyV7XBmJCdjswpjJHEad2IWrXMelmEo5oeP3FjSH+BfU5Wxf1YSAj5vI2LuXaIbbNnhw/N1py0WYy03t6qD5u6CfkMivnDm4LrqYYozOfU=";
  exactAndKept(
    [
      [`use ${together} for the llama calls`, "use [REDACTED:together-api-key] for the llama calls"],
      [`$ cat ~/.minisign/minisign.key\nuntrusted comment: minisign encrypted secret key\n${scrypt}\n`, "$ cat ~/.minisign/minisign.key\nuntrusted comment: minisign encrypted secret key\n[REDACTED:minisign-secret-key]\n"],
      [`untrusted comment: minisign secret key\n${plain}`, "untrusted comment: minisign secret key\n[REDACTED:minisign-secret-key]"],
    ],
    [
      ["a minisign public key and a together model name", "untrusted comment: minisign public key 5F1A2B3C\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\nmodel: together/tgp_v1_models"],
    ],
  );
});

describe("a WireGuard key printed by wg genkey or wg genpsk, or read back from its privatekey file", () => {
  const key = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
  exactAndKept(
    [
      [`$ wg genkey\n${key}`, "$ wg genkey\n[REDACTED:secret]"],
      [`$ wg genpsk\n${key}`, "$ wg genpsk\n[REDACTED:secret]"],
      [`$ umask 077; wg genkey > privatekey\n$ cat privatekey\n${key}`, "$ umask 077; wg genkey > privatekey\n$ cat privatekey\n[REDACTED:secret]"],
    ],
    [
      ["the public key wg pubkey prints", "$ wg genkey | tee privatekey | wg pubkey\nxTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="],
      ["a public key file and code named for a private key", "$ cat private_key.pub\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbcDefGhi me\n$ cat src/private_key.ts\nexport const x = 1;"],
    ],
  );
  test("as a Bash call's and a Read call's result: the command and the file say what it holds", () => {
    expect([commandPrints("wg genkey"), commandPrints("wg genpsk > psk"), commandPrints("wg genkey | tee privatekey | wg pubkey")]).toEqual(["key", "key", undefined]);
    expect([filePrints("/etc/wireguard/privatekey"), filePrints("/etc/wireguard/private_key"), filePrints("/etc/wireguard/publickey")]).toEqual(["any", "any", undefined]);
  });
});

describe("a URL's password after a user written as an unencoded e-mail address (EMAIL_URL)", () => {
  exactAndKept(
    [
      ["EMAIL_URL=smtp://user@example.com:hunter2!x@smtp.gmail.com:587", "EMAIL_URL=smtp://user@example.com:[REDACTED:password]@smtp.gmail.com:587"],
      ["SMTP_URL=smtps://me@gmail.com:Zx8Cv7Bn6Mq5@smtp.gmail.com:465", "SMTP_URL=smtps://me@gmail.com:[REDACTED:password]@smtp.gmail.com:465"],
    ],
    [
      ["a user at a host with a port, and a later @", "http://admin@10.0.0.1:8080/users/@me\nssh://git@github.com:22/org/repo.git see @octo\nsee https://me@example.com:8443/path and ping @bob"],
    ],
  );
});

describe("a diceware passphrase told after 'is' with no quotes or colon", () => {
  exactAndKept(
    [
      ["my passphrase is correct horse battery staple", "my passphrase is [REDACTED:password]"],
      ["the ssh key passphrase is mosaic-saddle-mosaic-velvet\n", "the ssh key passphrase is [REDACTED:password]\n"],
      ["the wallet password was mosaic saddle mosaic velvet.", "the wallet password was [REDACTED:password]."],
    ],
    [
      [
        "a sentence about a passphrase going on after 'is'",
        "the passphrase is generated randomly during setup\nthe password is rotated nightly across clusters\nthe passphrase is required before every signing operation\nmy passphrase is pretty long actually\nthe password is case sensitive",
      ],
    ],
  );
});

describe("an API key wrapped for an SDK as a literal: AzureKeyCredential, ApiKeyCredential, AzureSasCredential", () => {
  const hex = "3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e";
  exactAndKept(
    [
      [`var client = new OpenAIClient(new Uri(endpoint), new AzureKeyCredential("${hex}"));`, 'var client = new OpenAIClient(new Uri(endpoint), new AzureKeyCredential("[REDACTED:secret]"));'],
      [`search_client = SearchClient(endpoint, index, AzureKeyCredential("${hex}"))`, 'search_client = SearchClient(endpoint, index, AzureKeyCredential("[REDACTED:secret]"))'],
      ['ChatClient client = new("gpt-4o", new ApiKeyCredential("Zx8Cv7Bn6Mq5Lp4K"));', 'ChatClient client = new("gpt-4o", new ApiKeyCredential("[REDACTED:secret]"));'],
    ],
    [["a variable, a stand-in, the environment", 'new AzureKeyCredential(key)\nnew AzureKeyCredential("<your-key>")\nAzureKeyCredential(os.environ["AZURE_KEY"])\nnew ApiKeyCredential(Environment.GetEnvironmentVariable("OPENAI_API_KEY"))']],
  );
});

describe("a password printed by gopass, libsecret's secret-tool or keepassxc-cli", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, output: string, redacted: string][] = [
    ["gopass show -o work/db", "Zx8Cv7Bn6Mq5\n", "[REDACTED:secret]\n"],
    ["secret-tool lookup service openai user me", "hunter22x", "[REDACTED:secret]"],
    ["keepassxc-cli show -s -a Password db.kdbx github", "Zx8Cv7Bn6Mq5", "[REDACTED:secret]"],
  ];
  for (const [command, output, redacted] of cases) {
    test(command, () => {
      const prints = commandPrints(command);
      expect(prints).toBeDefined();
      if (prints) expect(redactOutput(output, prints).text).toBe(redacted);
    });
  }
  // pass's convention: the entry's first line is the password, whatever its shape; its fields below stay.
  const entries: [command: string, output: string, redacted: string][] = [
    ["gopass show -o work/wifi", "kx9!mq\n", "[REDACTED:secret]\n"],
    ["pass show work/db", "P@ss w0rd!\nlogin: bob\nurl: db.example.com\n", "[REDACTED:secret]\nlogin: bob\nurl: db.example.com\n"],
    ["gopass show work/db", "Secret: work/db\n\nsunny-day-42\nusername: bob\n", "Secret: work/db\n\n[REDACTED:secret]\nusername: bob\n"],
    ["cd ~ && pass show email/me", "Tr0ub4dor&3\n", "[REDACTED:secret]\n"],
  ];
  for (const [command, output, redacted] of entries) test(command, () => expect(redactOutput(output, commandPrints(command) ?? "any").text).toBe(redacted));
  const shownElsewhere: [command: string, output: string][] = [
    ["pass show work", "work\n├── db\n└── wifi\n"],
    ["pass show -c work/db", "Copied work/db to clipboard. Will clear in 45 seconds.\n"],
    ["gopass show nope", "Error: failed to retrieve secret 'nope': entry is not in the password store\n"],
    ["pass show work/db | grep login", "login: bob\n"],
  ];
  for (const [command, output] of shownElsewhere) test(`kept: ${command}`, () => expect(redactOutput(output, commandPrints(command) ?? "any")).toEqual({ text: output, count: 0 }));
  exactAndKept([["$ gopass show -o work/db\nZx8Cv7Bn6Mq5", "$ gopass show -o work/db\n[REDACTED:secret]"]], [["other subcommands", "$ gopass ls\nwork/db\n$ secret-tool store --label=x service openai"]]);
});

describe("a store's entry shown after another command's output, or beside another entry: each one-word line goes (for entries alone, each line but a field)", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, output: string, redacted: string][] = [
    ["cd ~/.password-store && git pull -q && pass show work/db", "Already up to date.\nhunter22x\nlogin: bob\n", "Already up to date.\n[REDACTED:secret]\nlogin: bob\n"],
    ["pass show work/db && pass show work/smtp", "hunter22x\nmailer99z\n", "[REDACTED:secret]\n[REDACTED:secret]\n"],
    // Entries alone: each line but a field, spaces and all (where one entry ends is not known).
    ["pass show work/db && pass show wifi/home", "hunter22x\nlogin: bob\ncorrect horse battery\nurl: https://x.example.com\n", "[REDACTED:secret]\nlogin: bob\n[REDACTED:secret]\nurl: https://x.example.com\n"],
    ["gopass show -o a; gopass show -o b", "hunter22x\npurple monkey dishwasher\n", "[REDACTED:secret]\n[REDACTED:secret]\n"],
    ["gopass show a && gopass show b", "Secret: a\n\nhunter 22x\nlogin: x\nSecret: b\n\ncorrect horse battery\n", "Secret: a\n\n[REDACTED:secret]\nlogin: x\nSecret: b\n\n[REDACTED:secret]\n"],
    ["cd ~/.password-store && pass show a && pass show b", "Tr0ub4dor&3\nError: b is not in the password store.\n", "[REDACTED:secret]\nError: b is not in the password store.\n"],
    // An entry piped to head prints its first lines: still an entry, so the next one's password is no longer first.
    ["pass show a | head -1; pass show b", "P@ss w0rd!\nmailer 99z\n", "[REDACTED:secret]\n[REDACTED:secret]\n"],
    ["pass show a && pass show b | head -n 1", "hunter22x\nlogin: bob\ncorrect horse battery\n", "[REDACTED:secret]\nlogin: bob\n[REDACTED:secret]\n"],
    // An entry piped on to anything else prints what that command keeps: the next entry's password is no longer first.
    ["pass show a | grep login; pass show b", "login: bob\nhunter22x\n", "login: bob\n[REDACTED:secret]\n"],
    ["git -C ~/.password-store pull; gopass show work/db", "Already up to date.\nSecret: work/db\n\nsunny-day-42\nusername: bob\n", "Already up to date.\nSecret: work/db\n\n[REDACTED:secret]\nusername: bob\n"],
  ];
  for (const [command, output, redacted] of cases) {
    test(command, () => {
      const prints = commandPrints(command);
      expect(prints).toBeDefined();
      if (prints) expect(redactOutput(output, prints).text).toBe(redacted);
    });
  }
  // One entry copied to the clipboard beside one shown: the shown one's password still goes.
  for (const command of ["pass show work/db && pass show -c work/smtp", "gopass -c work/smtp; gopass show -o work/db"]) {
    test(`one entry copied, another shown: ${command}`, () => {
      const prints = commandPrints(command);
      expect(prints).toBeDefined();
      if (prints) expect(redactOutput("Copied work/smtp to clipboard. Will clear in 45 seconds.\nhunter 22x\n", prints).text).not.toContain("hunter 22x");
    });
  }
  // First of what its command prints: its first line, whatever its shape.
  for (const command of ["cd ~ && pass show email/me", "sudo pass show work/db", "PASSWORD_STORE_DIR=~/.team pass work/db"]) {
    test(`first line: ${command}`, () => expect(commandPrints(command)).toBe("first-line"));
  }
});

describe("echo and printf print their words: a store's command or a secret's name among them shows nothing (echo pass x)", () => {
  const { redactOutput } = createRedactor();
  for (const [command, output] of [
    ["echo pass x", "pass x\n"],
    ["echo pass show work/db", "pass show work/db\n"],
    ["printf 'pass show %s\\n' work/db", "pass show work/db\n"],
    ["echo GITHUB_TOKEN", "GITHUB_TOKEN\n"],
    ["echo 'then run: gopass show -o app/stripe'", "then run: gopass show -o app/stripe\n"],
  ] as const) {
    test(`kept: ${command}`, () => {
      const prints = commandPrints(command);
      expect(prints).toBeUndefined();
      expect(prints ? redactOutput(output, prints) : redact(output)).toEqual({ text: output, count: 0 });
    });
  }
  // What they print of a variable or of a command run inside them is still the secret.
  for (const [command, prints] of [
    ['echo "$(pass show work/db)"', "entry-lines"],
    ["echo $GITHUB_TOKEN", "any"],
    ['printf \'%s\' "${DB_PASSWORD}"', "any"],
  ] as const) {
    test(command, () => expect(commandPrints(command)).toBe(prints));
  }
});

describe("gopass given an entry's name alone (gopass work/db), and a store's one-time code (pass otp, gopass otp)", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, prints: string, output: string, redacted: string][] = [
    ["gopass work/db", "first-line", "hunter2\nlogin: bob\n", "[REDACTED:secret]\nlogin: bob\n"],
    ["cd ~ && gopass email/me", "first-line", "Tr0ub4dor&3\n", "[REDACTED:secret]\n"],
    // show's flags before the name: -o prints the password alone, -C copies it and shows the entry.
    ["gopass -o work/db", "first-line", "correct horse battery\n", "[REDACTED:secret]\n"],
    ["gopass --password work/db", "first-line", "hunter2\n", "[REDACTED:secret]\n"],
    ["gopass -C work/db", "first-line", "hunter2\nlogin: bob\n", "[REDACTED:secret]\nlogin: bob\n"],
    ["pass otp work/github", "otp-code", "493021\n", "[REDACTED:secret]\n"],
    ["pass otp code work/github", "otp-code", "493021\n", "[REDACTED:secret]\n"],
    ["gopass otp work/github", "otp-code", "493021 lasts 23s \t|\t[==>   ]\n", "[REDACTED:secret] lasts 23s \t|\t[==>   ]\n"],
    ["gopass totp -o work/github", "otp-code", "49302117\n", "[REDACTED:secret]\n"],
  ];
  for (const [command, prints, output, redacted] of cases) {
    test(command, () => {
      expect(commandPrints(command)).toBe(prints as ReturnType<typeof commandPrints>);
      expect(redactOutput(output, prints as "first-line" | "otp-code").text).toBe(redacted);
    });
  }
  for (const command of ["gopass", "gopass ls work", "gopass sync", "gopass -c work/db", "gopass --clip work/db", "pass -c work/db", "gopass --qr work/db", "gopass --version", "gopass config", "pass otp insert work/github", "gopass otp uri work/github"]) {
    test(`no entry nor code shown: ${command}`, () => expect(commandPrints(command)).toBeUndefined());
  }
  // gopass's own commands are not pass's: an entry of pass may be named as one of them.
  for (const command of ["pass config", "pass env/prod", "pass sync"]) test(`pass's entry: ${command}`, () => expect(commandPrints(command)).toBe("first-line"));
  exactAndKept(
    [
      ["$ gopass work/db\nhunter2x\n$ ls", "$ gopass work/db\n[REDACTED:secret]\n$ ls"],
      ["$ gopass -o work/db\nhunter2x\n$ ls", "$ gopass -o work/db\n[REDACTED:secret]\n$ ls"],
      ["$ pass otp github\n493021\n$ gopass otp github\n12345678 lasts 12s\ndone", "$ pass otp github\n[REDACTED:secret]\n$ gopass otp github\n[REDACTED:secret] lasts 12s\ndone"],
    ],
    [["gopass's other commands, an error below an otp, a copy", "$ gopass ls\nwork/db\n$ pass otp github\nError: github is not in the password store.\n$ gopass -c work/db\nCopied work/db to clipboard\n"]],
  );
});

describe("oathtool given a TOTP seed: the seed, in one word or quoted in groups, and the codes it prints (as pass otp's)", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, output: string, redacted: string][] = [
    ["oathtool --totp -b JBSWY3DPEHPK3PXP", "492039\n", "[REDACTED:secret]\n"],
    ["oathtool -b --totp JBSWY3DPEHPK3PXP", "492039\n", "[REDACTED:secret]\n"],
    ["cd ~ && oathtool --totp --base32 JBSWY3DPEHPK3PXP -w 1", "492039\n118274\n", "[REDACTED:secret]\n[REDACTED:secret]\n"],
    ["oathtool -v --totp -b JBSWY3DPEHPK3PXP", "Digits: 6\nCounter: 0x391D6B6 (59888310)\n\n492039\n", "Digits: 6\nCounter: 0x391D6B6 (59888310)\n\n[REDACTED:secret]\n"],
  ];
  for (const [command, output, redacted] of cases) {
    test(command, () => {
      expect(commandPrints(command)).toBe("otp-code");
      expect(redactOutput(output, "otp-code").text).toBe(redacted);
    });
  }
  for (const command of ["oathtool --help", "oathtool -V", "man oathtool", "apt install oathtool"]) test(`no code: ${command}`, () => expect(commandPrints(command)).toBeUndefined());
  exactAndKept(
    [
      ["oathtool --totp -b 'gr6d 5br7 25s6 vnck v4vl hlao re'", "oathtool --totp -b '[REDACTED:totp-secret]'"],
      ["$ oathtool --totp -b JBSWY3DPEHPK3PXP\n492039\nwhy is it rejected?", "$ oathtool --totp -b [REDACTED:totp-secret]\n[REDACTED:secret]\nwhy is it rejected?"],
      ["$ oathtool --totp --base32 JBSWY3DPEHPK3PXP\n492039\n$ ls", "$ oathtool --totp --base32 [REDACTED:totp-secret]\n[REDACTED:secret]\n$ ls"],
      ["% oathtool -b --totp \"gr6d 5br7 25s6 vnck\" -w 2\n492039\n118274\n937710\n", "% oathtool -b --totp \"[REDACTED:totp-secret]\" -w 2\n[REDACTED:secret]\n[REDACTED:secret]\n[REDACTED:secret]\n"],
      [
        "$ oathtool -v --totp -b JBSWY3DPEHPK3PXP\nHex secret: 48656c6c6f21deadbeef\nBase32 secret: JBSWY3DPEHPK3PXP\nDigits: 6\nCounter: 0x391D6B6 (59888310)\n\n492039\n",
        "$ oathtool -v --totp -b [REDACTED:totp-secret]\nHex secret: [REDACTED:secret]\nBase32 secret: [REDACTED:secret]\nDigits: 6\nCounter: 0x391D6B6 (59888310)\n\n[REDACTED:secret]\n",
      ],
    ],
    [
      ["oathtool's help and words in quotes", "$ oathtool --help\nUsage: oathtool [OPTIONS]... [KEY [OTP]]...\n$ oathtool --totp -b 'then open your app'\noathtool: base32 decoding failed\n"],
      ["a number below another command", "$ oathtools --version\n20240101\n"],
    ],
  );
});

describe("pass given an entry's name alone (pass work/db), and pass generate's answer: the password, whatever its shape", () => {
  const { redactOutput } = createRedactor();
  const entries: [command: string, output: string, redacted: string][] = [
    ["pass work/db", "hunter2\nlogin: bob\n", "[REDACTED:secret]\nlogin: bob\n"],
    ["PASSWORD_STORE_DIR=~/.team-store pass work/db", "P@ss w0rd!\n", "[REDACTED:secret]\n"],
    ["cd ~ && pass email/me", "correct horse battery\n", "[REDACTED:secret]\n"],
  ];
  for (const [command, output, redacted] of entries) {
    test(command, () => {
      expect(commandPrints(command)).toBe("first-line");
      expect(redactOutput(output, "first-line").text).toBe(redacted);
    });
  }
  for (const command of ["pass", "pass ls work", "pass git push", "pass insert work/db", "pass -c work/db", "npm test; echo tests pass", "git commit -m 'tests pass now'"]) {
    test(`no entry shown: ${command}`, () => expect(commandPrints(command)).toBeUndefined());
  }
  // pass prints it in colour: its codes read as spaces.
  const colour = (password: string) => `\x1b[1mThe generated password for \x1b[4mweb/site\x1b[24m is:\x1b[22m\n\x1b[1m\x1b[93m${password}\x1b[22m\x1b[39m\n`;
  exactAndKept(
    [
      ["The generated password for web/site is:\nZx8'Cv7-Bn6Mq5Lp4K{s\n", "The generated password for web/site is:\n[REDACTED:password]\n"],
      ["$ pass generate -n web/site 12\nThe generated password for web/site is:\nhunterhunter\n", "$ pass generate -n web/site 12\nThe generated password for web/site is:\n[REDACTED:password]\n"],
      [colour('a"b`c]d<e'), colour("[REDACTED:password]")],
      // pass(1)'s example, as older versions word it: a password that starts as a command's substitution would.
      ["zx2c4@laptop ~ $ pass generate Email/jasondonenfeld.com 15\nThe generated password to Email/jasondonenfeld.com is:\n$(-QF&Q=IN2nFBx\n", "zx2c4@laptop ~ $ pass generate Email/jasondonenfeld.com 15\nThe generated password to Email/jasondonenfeld.com is:\n[REDACTED:password]\n"],
    ],
    [["the message alone, and pass's other answers", "The generated password for web/site is:\n\nCopied web/site to clipboard. Will clear in 45 seconds.\n"]],
  );
});

describe("a pasted terminal: a store's entry shown after a shell's prompt, its first line whatever its shape", () => {
  exactAndKept(
    [
      ["$ pass show email/work\nhunter2x\n$ pass show bank\ns3cr3t\n", "$ pass show email/work\n[REDACTED:secret]\n$ pass show bank\n[REDACTED:secret]\n"],
      ["me@box:~$ pass email/work\nhunter2\nlogin: me\n", "me@box:~$ pass email/work\n[REDACTED:secret]\nlogin: me\n"],
      ["% gopass show -o wifi/home\ncorrect horse battery\n", "% gopass show -o wifi/home\n[REDACTED:secret]\n"],
      ["$ gopass show email/work\nSecret: email/work\n\nhunter2\n", "$ gopass show email/work\nSecret: email/work\n\n[REDACTED:secret]\n"],
      // Several entries on the prompt's line: each one's password below (a field kept), one an entry, the user's words after them kept.
      ["$ pass show a && pass show b\nP@ss w0rd!\nmailer 99z\nwhy does the second fail?\n", "$ pass show a && pass show b\n[REDACTED:secret]\n[REDACTED:secret]\nwhy does the second fail?\n"],
      ["$ pass show a; pass show b\nhunter22x\nlogin: bob\ncorrect horse battery\n$ ls\nfoo bar\n", "$ pass show a; pass show b\n[REDACTED:secret]\nlogin: bob\n[REDACTED:secret]\n$ ls\nfoo bar\n"],
      ["$ gopass show a && gopass show b\nSecret: a\n\nhunter 22x\nSecret: b\n\nmailer 99z\n", "$ gopass show a && gopass show b\nSecret: a\n\n[REDACTED:secret]\nSecret: b\n\n[REDACTED:secret]\n"],
      // An entry after another command on the prompt's line: read as its Bash call is, each one-word line below (one an entry) goes.
      ["$ git pull && pass show a\nAlready up to date.\nhunter22x\nlogin: bob\n", "$ git pull && pass show a\nAlready up to date.\n[REDACTED:secret]\nlogin: bob\n"],
      ["$ pass show a | grep login; pass show b\nlogin: bob\nhunter22x\n", "$ pass show a | grep login; pass show b\nlogin: bob\n[REDACTED:secret]\n"],
      // One entry first of what the line prints, after cd or sudo: its first line, whatever its shape.
      ["$ cd ~/.password-store && pass show a\nhunter2\nlogin: bob\n", "$ cd ~/.password-store && pass show a\n[REDACTED:secret]\nlogin: bob\n"],
      ["$ sudo pass show a\nP@ss w0rd!\n", "$ sudo pass show a\n[REDACTED:secret]\n"],
    ],
    [
      [
        "a folder's tree, an error, the clipboard, the next prompt, other commands",
        "$ pass show email\nemail\n├── work\n└── home\n$ pass show nope\nError: nope is not in the password store.\n$ pass show -c email/work\nCopied email/work to clipboard. Will clear in 45 seconds.\n$ pass show email/work\n$ pass git push\nEverything up-to-date\n$ pass insert email/home\nEnter password for email/home:\n",
      ],
      ["prose with pass in it, no prompt", "please run pass show email/work\nand tell me what it prints\nwe pass work/db along\nto the next step\n"],
      ["the user's words after a blank line, or a sentence", "$ pass show email/work\n\nWhy does this print nothing?\nWhen I run\n$ pass show email/work\nit asks for my gpg passphrase and then hangs\n"],
      ["after several entries, the user's words past a blank line", "$ pass show a && pass show b\nError: a is not in the password store.\n\nwhat is wrong here\n"],
      ["a figure's % is no prompt", "50% of the time I run git pull && pass show x\nThen\nit works\n"],
      ["after another command's output, lines with spaces and the user's words past a blank line", "$ git pull && pass show a\nAlready up to date.\nError: a is not in the password store.\n\nWhy?\nhunter22x\n"],
    ],
  );
});

describe("a value told in prose as 'set NAME to …' (the word 'to' was masked and the key left bare)", () => {
  exactAndKept(
    [
      ["set OPENAI_API_KEY to Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G in the env", "set OPENAI_API_KEY to [REDACTED:secret] in the env"],
      ['set DB_PASSWORD to "hunter2x" please', 'set DB_PASSWORD to "[REDACTED:secret]" please'],
      ["set -gx DB_PASSWORD Zx8Cv7Bn6Mq5", "set -gx DB_PASSWORD [REDACTED:secret]"],
    ],
    [["words after 'to', a reference", "set API_KEY to empty in the test config\nset OPENAI_API_KEY to your key from the dashboard\nset API_TOKEN to $TOKEN"]],
  );
});

describe("a password or key told after an ASCII arrow (password -> …)", () => {
  exactAndKept(
    [
      ["password -> Tr0ub4dor&3", "password -> [REDACTED:password]"],
      ["api key -> Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G", "api key -> [REDACTED:secret]"],
    ],
    [["return types and pipelines", "fn password -> String\nfn token -> Result<Token, Error>\nuser.password -> hashed\npassword -> validate(password)\ntoken -> lexer -> parser2"]],
  );
});

describe("a quoted password on a command line holding ; | or && (it was cut there, its rest left bare)", () => {
  exactAndKept(
    [
      ["mysql -u root -p'Ab3;xY9!kq' app", "mysql -u root -p'[REDACTED:password]' app"],
      ['mysql -u root -p"Ab3|xY9kq" app && echo ok', 'mysql -u root -p"[REDACTED:password]" app && echo ok'],
      ["sshpass -p 'Ab3;xY9kq' ssh root@host", "sshpass -p '[REDACTED:password]' ssh root@host"],
      ["redis-cli -a 'Ab3&&xY9kq' ping", "redis-cli -a '[REDACTED:password]' ping"],
      ["mysql -uroot -pZx8Cv7x; echo it's done", "mysql -uroot -p[REDACTED:password]; echo it's done"],
    ],
    [["a prompt's -p, a later command's flag", "mysql -u root -p app; echo 'done'\necho \"it's\" | mysql -u root app; ls -p x"]],
  );
});

describe("a TOTP seed under totp alone (bw get item) and a passcode", () => {
  const { redactValue } = createRedactor();
  exactAndKept(
    [
      ['{"login":{"username":"octo","totp":"JBSWY3DPEHPK3PXP"}}', '{"login":{"username":"octo","totp":"[REDACTED:secret]"}}'],
      ["totp: JBSWY3DPEHPK3PXP", "totp: [REDACTED:secret]"],
      ['{"passcode": "482133"}', '{"passcode": "[REDACTED:secret]"}'],
      ["passcode=Hunter2xq", "passcode=[REDACTED:secret]"],
    ],
    [
      [
        "a setting, a type, code",
        '{"totp": true, "totp": "enabled", "totp": "required", "totp_enabled": true}\ntotp: false\nconst totp = generateTotp(secret)\npasscode: string\n"passcode": null\npasscodeLength: 6\nrequire_passcode = true\npasscode_hint: Enter your passcode',
      ],
    ],
  );
  test("as a tool's JSON value", () => {
    expect(redactValue({ login: { totp: "JBSWY3DPEHPK3PXP", passcode: "482133" } }).value).toEqual({ login: { totp: "[REDACTED:secret]", passcode: "[REDACTED:secret]" } });
  });
});

describe("a file of secrets printed decrypted: every opaque token goes, whatever its name", () => {
  const { redactOutput } = createRedactor();
  const key = "Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G";
  const cases: [command: string, output: string, redacted: string][] = [
    ["sops -d secrets.enc.yaml", `stripe: ${key}\nregion: us-east-1\ndb:\n    password: hunter22x\n`, "stripe: [REDACTED:secret]\nregion: us-east-1\ndb:\n    password: [REDACTED:secret]\n"],
    ["ansible-vault view group_vars/all/vault.yml", `vault_stripe: ${key}\nvault_user: deploy`, "vault_stripe: [REDACTED:secret]\nvault_user: deploy"],
    ["bin/rails credentials:show", `stripe: ${key}\nfeature_flags: enabled`, "stripe: [REDACTED:secret]\nfeature_flags: enabled"],
    ["infisical export --env=prod", `STRIPE='${key}'\nNODE_ENV='production'`, "STRIPE='[REDACTED:secret]'\nNODE_ENV='production'"],
  ];
  for (const [command, output, redacted] of cases) {
    test(command, () => {
      const prints = commandPrints(command);
      expect(prints).toBe("env");
      if (prints) expect(redactOutput(output, prints).text).toBe(redacted);
    });
  }
  test("names, paths, hashes and words in it stay", () => {
    const output = "apiVersion: v1\nimage: ghcr.io/acme/app:1.2.3\ncommit: 3f2b1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c\nclassName: UserAuthenticationService2\n";
    expect(redactOutput(output, "env")).toEqual({ text: output, count: 0 });
    expect([commandPrints("sops -e -i secrets.yaml"), commandPrints("ansible-vault encrypt vault.yml")]).toEqual([undefined, undefined]);
  });
});

describe("aws ssm get-parameters-by-path --with-decryption prints stored secrets as get-parameter does", () => {
  const { redactOutput } = createRedactor();
  test("each parameter's Value goes, whatever its name; its names and versions stay", () => {
    const prints = commandPrints("aws ssm get-parameters-by-path --path /prod --recursive --with-decryption");
    expect(prints).toBe("any");
    const output = '{"Parameters":[{"Name":"/prod/stripe","Type":"SecureString","Value":"Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G","Version":1},{"Name":"/prod/db_pass","Type":"SecureString","Value":"hunter22","Version":3}]}';
    if (prints) {
      expect(redactOutput(output, prints).text).toBe(
        '{"Parameters":[{"Name":"/prod/stripe","Type":"SecureString","Value":"[REDACTED:secret]","Version":1},{"Name":"/prod/db_pass","Type":"SecureString","Value":"[REDACTED:secret]","Version":3}]}',
      );
    }
    expect(commandPrints("aws ssm get-parameters-by-path --path /prod")).toBeUndefined();
  });
});

describe("a new value told right after 'a new one', with no verb or colon", () => {
  exactAndKept(
    [
      ["the token expired, here's a new one Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G", "the token expired, here's a new one [REDACTED:secret]"],
      ["I reset the password, new one Tr0ub4dor&3", "I reset the password, new one [REDACTED:password]"],
    ],
    [
      [
        "a sentence going on after 'new one'",
        "I changed the password, the new one works fine\nthe token expired so I made a new one yesterday\nthe API key was revoked, a new one UserService2 will come\nthe password expired, a new one is needed",
      ],
    ],
  );
});

describe("a wallet's private key passed as --private-key or told in prose (0x and 64 hex digits)", () => {
  const key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  exactAndKept(
    [
      [`forge script Deploy --rpc-url $RPC --private-key 0x${key} --broadcast`, "forge script Deploy --rpc-url $RPC --private-key [REDACTED:secret] --broadcast"],
      [`cast send 0xabc 'f()' --private-key=${key}`, "cast send 0xabc 'f()' --private-key=[REDACTED:secret]"],
      [`my wallet private key is 0x${key}`, "my wallet private key is [REDACTED:secret]"],
    ],
    [
      [
        "a key's file, a variable, a public key, a storage slot",
        'ansible-playbook site.yml --private-key id_ed25519\nansible all --private-key ~/.ssh/id_rsa -m ping\nnode sign.js --private-key "$PRIVATE_KEY"\nthe public key is 0x04a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9\nthe storage key 0x0000000000000000000000000000000000000000000000000000000000000003 holds the owner',
      ],
    ],
  );
});

describe("an observability vendor's key in OpenTelemetry's exporter headers (x-honeycomb-team=…), as Claude Code's telemetry is set up", () => {
  const key = "Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G";
  exactAndKept(
    [
      [`OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=${key}`, "OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=[REDACTED:secret]"],
      [`export OTEL_EXPORTER_OTLP_HEADERS="x-honeycomb-team=${key},x-honeycomb-dataset=claude"`, 'export OTEL_EXPORTER_OTLP_HEADERS="x-honeycomb-team=[REDACTED:secret],x-honeycomb-dataset=claude"'],
      [`{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "signoz-ingestion-key=${key}"}}`, '{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "signoz-ingestion-key=[REDACTED:secret]"}}'],
    ],
    [["a tenant, a dataset, a reference, the endpoint", "OTEL_EXPORTER_OTLP_HEADERS=x-scope-orgid=tenant1,x-honeycomb-dataset=claude-code\nOTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=${HONEYCOMB_API_KEY}\nOTEL_EXPORTER_OTLP_ENDPOINT=https://api.honeycomb.io"]],
  );
});

describe("a value on the line below 'the password is' or 'the key is'", () => {
  exactAndKept(
    [
      ["and the secret key is\nZx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G", "and the secret key is\n[REDACTED:secret]"],
      ["the password is\nTr0ub4dor&3", "the password is\n[REDACTED:password]"],
      ["ok the db password was:\n\n  Tr0ub4dor&3\n", "ok the db password was:\n\n  [REDACTED:password]\n"],
    ],
    [["a sentence wrapped after 'is'", "the password is\nrequired\nthe token is\nexpired\nthe key is\nUserService\nthe password is\nstored.\nYour password is\nincorrect"]],
  );
});

describe("the environment printed by set alone (cmd's set, cmd /c set, a shell's variables)", () => {
  const { redactOutput } = createRedactor();
  test("an opaque token goes whatever its name; paths stay; set with options runs nothing of the kind", () => {
    const output = "ALLUSERSPROFILE=C:\\ProgramData\nSTRIPE=Zx8Cv7Bn6Mq5Lp4Ks3Jd2Hf1G\nPATH=C:\\Windows";
    for (const command of ["set", "cmd /c set", "set | findstr KEY"]) {
      const prints = commandPrints(command);
      expect(prints).toBe("env");
      if (prints) expect(redactOutput(output, prints).text).toBe("ALLUSERSPROFILE=C:\\ProgramData\nSTRIPE=[REDACTED:secret]\nPATH=C:\\Windows");
    }
    expect(["set -e", "set -x; make", "npm set registry x"].map(commandPrints)).toEqual([undefined, undefined, undefined]);
  });
});

describe("a whole assignment quoted as one word, its password holding ; , or | (only its part before them went)", () => {
  exactAndKept(
    [
      ['docker run -e "POSTGRES_PASSWORD=Ab3;xY9kq" postgres', 'docker run -e "POSTGRES_PASSWORD=[REDACTED:secret]" postgres'],
      ["environment:\n  - 'DB_PASSWORD=Ab3,xY9kq'\n", "environment:\n  - 'DB_PASSWORD=[REDACTED:secret]'\n"],
      ['["API_TOKEN=Ab3|xY9kq"]', '["API_TOKEN=[REDACTED:secret]"]'],
    ],
    [
      ["another assignment after the value in the same quotes", "curl 'https://x/login?token=${TOKEN}&user=admin'\nSet-Cookie: \"session_hint=none; path=/\""],
      ["a quoted key in code", "data['name'] = data['password'] = data['email'] = ''\ndata['password'] = getpass.getpass('Password: ')\nelse {\"token\": challenge.get(\"token\")}"],
    ],
  );
});

describe("the 1Password CLI v1's session token (OP_SESSION_<account>: the name ends in the account, not a secret's word)", () => {
  exactAndKept(
    [
      ['export OP_SESSION_my="Xk9fQ2mZ7vLpR4tB8nWc1JhY6sDgA3eU5oKiTqNb"', 'export OP_SESSION_my="[REDACTED:secret]"'],
      ["OP_SESSION_team_acme=Xk9fQ2mZ7vLpR4tB8nWc1JhY6sDgA3eU5oKiTqNb", "OP_SESSION_team_acme=[REDACTED:secret]"],
    ],
    [["signing in, a reference, unsetting", 'export OP_SESSION_my=$(op signin my)\nexport OP_SESSION_my="$OP_TOKEN"\nunset OP_SESSION_my']],
  );
});

describe("Honeycomb's X-Honeycomb-Team header (its API key under a name that says no secret), beside other vendors' auth headers", () => {
  exactAndKept(
    [
      ["X-Honeycomb-Team: a8F3kQ9zX2mV7pL4tR6wN1b", "X-Honeycomb-Team: [REDACTED:secret]"],
      ['curl -H "X-Honeycomb-Team: a8F3kQ9zX2mV7pL4tR6wN1b" https://api.honeycomb.io/1/auth', 'curl -H "X-Honeycomb-Team: [REDACTED:secret]" https://api.honeycomb.io/1/auth'],
      ["headers: { 'x-honeycomb-team': 'a8F3kQ9zX2mV7pL4tR6wN1b', 'x-honeycomb-dataset': 'prod' }", "headers: { 'x-honeycomb-team': '[REDACTED:secret]', 'x-honeycomb-dataset': 'prod' }"],
      ["PRIVATE-TOKEN: a8F3kQ9zX2mV7pL4tR6wN1b\nX-Vault-Token: a8F3kQ9zX2mV7pL4tR6wN1b\nDD-API-KEY: a8F3kQ9zX2mV7pL4tR6wN1b", "PRIVATE-TOKEN: [REDACTED:secret]\nX-Vault-Token: [REDACTED:secret]\nDD-API-KEY: [REDACTED:secret]"],
    ],
    [["a variable, a stand-in, code", 'X-Honeycomb-Team: $HONEYCOMB_API_KEY\nX-Honeycomb-Team: <your-api-key>\n"X-Honeycomb-Team": apiKey,']],
  );
});

describe("a password quoted for the shell with a quote inside it ('\\'' closes, escapes and reopens: its tail leaked)", () => {
  exactAndKept(
    [
      ["mysql -u root -p'Ab3'\\''xY9kq' mydb", "mysql -u root -p'[REDACTED:password]' mydb"],
      ["sshpass -p 'Ab3'\\''xY9kq' ssh host", "sshpass -p '[REDACTED:password]' ssh host"],
      ["psql --password='Ab3'\\''xY9kq'", "psql --password='[REDACTED:password]'"],
    ],
    [["an echoed sentence with an apostrophe", "echo 'it'\\''s fine' && mysql -u root -p mydb"]],
  );
});

describe("a password echoed into OpenVPN's auth file a line at a time (named for a password, or appended as its second line)", () => {
  exactAndKept(
    [
      ['echo "Pq7xZ2mK9vTr" > /etc/openvpn/pass.txt', 'echo "[REDACTED:secret]" > /etc/openvpn/pass.txt'],
      ['echo "Pq7xZ2mK9vTr" | sudo tee /etc/openvpn/client/password', 'echo "[REDACTED:secret]" | sudo tee /etc/openvpn/client/password'],
      ['echo "alice" > /etc/openvpn/auth.txt && echo "Pq7xZ2mK9vTr" >> /etc/openvpn/auth.txt', 'echo "alice" > /etc/openvpn/auth.txt && echo "[REDACTED:secret]" >> /etc/openvpn/auth.txt'],
    ],
    [
      ["the user's line, and a profile's lines naming the file", 'echo "alice2" > /etc/openvpn/auth.txt\necho "auth-user-pass /etc/openvpn/pass.txt" >> /etc/openvpn/client.ovpn'],
    ],
  );
});

describe("a key a bundler inlines (webpack's DefinePlugin, vite's define: JSON.stringify around the quoted value)", () => {
  exactAndKept(
    [
      ["define: { 'process.env.API_KEY': JSON.stringify('a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH') }", "define: { 'process.env.API_KEY': JSON.stringify('[REDACTED:secret]') }"],
      ['"process.env.STRIPE_SECRET": JSON.stringify("a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"),', '"process.env.STRIPE_SECRET": JSON.stringify("[REDACTED:secret]"),'],
    ],
    [["the environment's value passed on, a stand-in", "'process.env.API_KEY': JSON.stringify(process.env.API_KEY),\ntoken: JSON.stringify(token)\n'import.meta.env.VITE_API_KEY': JSON.stringify('your-api-key')"]],
  );
});

describe("cookies saved as JSON, each value apart from its cookie's name (an httpie session, Playwright's storage state, a HAR)", () => {
  exactAndKept(
    [
      [
        '"cookies": {\n  "sessionid": {\n    "expires": null,\n    "path": "/",\n    "value": "k3j9xq2mvb8wz7ty5rpl0aenf4hcd6su"\n  }\n}',
        '"cookies": {\n  "sessionid": {\n    "expires": null,\n    "path": "/",\n    "value": "[REDACTED:secret]"\n  }\n}',
      ],
      [
        '"cookies": [{"name": "_gitlab_session", "path": "/", "value": "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"}, {"name": "theme", "value": "dark"}]',
        '"cookies": [{"name": "_gitlab_session", "path": "/", "value": "[REDACTED:secret]"}, {"name": "theme", "value": "dark"}]',
      ],
      ['"auth": {"type": "basic", "raw_auth": "alice:Pq7xZ2mK9v"}', '"auth": {"type": "basic", "raw_auth": "[REDACTED:secret]"}'],
    ],
    [["a value after the cookies' list closed, a word", '"cookies": [], "headers": [{"name": "X-Trace", "value": "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"}]\n"cookies": {"theme": {"value": "dark"}}']],
  );
});

describe("an AI provider's name alone as a key's label (anthropic: …, openai=…): a long value drawn at random only", () => {
  exactAndKept(
    [
      ["anthropic: a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH", "anthropic: [REDACTED:secret]"],
      ["openai=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH", "openai=[REDACTED:secret]"],
      ['{"groq": "Xk9fQ2mZ7vLpR4tB8nWc1JhY6sDgA3"}', '{"groq": "[REDACTED:secret]"}'],
    ],
    [["a switch, a model, a short word, a reference, the provider as a value", 'anthropic: true\nopenai: "gpt-4o"\nanthropic: claude-3-5-sonnet-20241022\nopenai=Ab3xY9kq\nopenai: ${OPENAI_API_KEY}\nprovider: openai']],
  );
});

describe("psql's column named key alone (select name, key from api_keys): a value drawn at random only", () => {
  exactAndKept(
    [
      [
        " name   |              key\n--------+--------------------------------\n stripe | a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\n(1 row)",
        " name   |              key\n--------+--------------------------------\n stripe | [REDACTED:secret]\n(1 row)",
      ],
    ],
    [["a settings table's key column", " id |    key    | value\n----+-----------+-------\n  1 | max_conn2 | 100\n  2 | theme_v2  | dark\n(2 rows)"]],
  );
});

describe("pulumi config --show-secrets: its KEY/VALUE table, the secrets unmarked in it", () => {
  const { redactOutput } = createRedactor();
  const output = "KEY                 VALUE\naws:region          us-west-2\nmyapp:replicas      3\nmyapp:tokenTtl      3600s\nmyapp:dbPassword    S3cr3t!x\nmyapp:stripeConfig  a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\n";
  const redacted = output.replace("S3cr3t!x", "[REDACTED:secret]").replace("a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH", "[REDACTED:secret]");
  test("a value drawn at random or under a secret's name goes; a region, a number, a duration stay; the config without its secrets shown prints none", () => {
    for (const command of ["pulumi config --show-secrets", "pulumi config --stack dev --show-secrets"]) {
      const prints = commandPrints(command);
      expect(prints).toBeDefined();
      if (prints) expect(redactOutput(output, prints).text).toBe(redacted);
    }
    expect(["pulumi config", "pulumi config set --secret dbPass x"].map(commandPrints)).toEqual([undefined, undefined]);
  });
});

describe("a command that prints a secret, continued on the next line (\\), pasted with its output: the output goes, not the continued flags", () => {
  exactAndKept(
    [
      [
        "$ gcloud secrets versions access latest --secret=db-pass \\\n    --project=my-proj\nXk9mQ2pL7vR3zT8w\n",
        "$ gcloud secrets versions access latest --secret=db-pass \\\n    --project=my-proj\n[REDACTED:secret]\n",
      ],
      [
        "$ aws secretsmanager get-secret-value \\\r\n  --secret-id prod/db \\\r\n  --query SecretString --output text\r\nZx8Cv7Bn6Mq5Lp4K\r\n",
        "$ aws secretsmanager get-secret-value \\\r\n  --secret-id prod/db \\\r\n  --query SecretString --output text\r\n[REDACTED:secret]\r\n",
      ],
    ],
    [["a continued command whose output is no secret", "$ cat README.md \\\n  | head -3\n# claude-code-sync\n"]],
  );
});

describe("prefixed keys of 2025-2026 (Fireworks, Vercel, Cloudflare) and keys gitleaks knows only before a quote or a space (npm, PlanetScale, Sentry, Grafana, Postman): in parentheses at a sentence's end, or a JSON value of no secret's name", () => {
  const keys: [key: string, kind: string][] = [
    ["fw_3ZkXa9Pq7LmN2vB8cR5tY1wQ", "fireworks-api-key"],
    ["vcp_4Hq8Zk2Lm9Xv3Bn7Cr5Ty1Wp6Qs0Df8Gj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6", "vercel-token"],
    ["vck_7Tq2Zk8Lm3Xv9Bn1Cr5Ty4Wp6Qs0Df8Gj2Kl4Mn6Pq8Rs0Tu2Vw4Xy6", "vercel-token"],
    ["cfut_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5cD7e9f86d081", "cloudflare-api-token"],
    ["cfat_L2mN4pQ6rS8tU0vW1xY3zA5cD7eF9gH2iK4jM6n3bf4f1b2", "cloudflare-api-token"],
    ["npm_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5", "npm-access-token"],
    ["pscale_tkn_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5cD7", "planetscale-api-token"],
    ["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", "sentry-user-token"],
    ["glsa_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY_9f86d081", "grafana-service-account-token"],
    ["PMAK-9f86d081884c7d659a2feaa0-c55ad015a3bf4f1b2b0b822cd15d6c15b0", "postman-api-token"],
  ];
  exactAndKept(
    keys.flatMap(([key, kind]): [string, string][] => [
      [`revoked (${key}).`, `revoked ([REDACTED:${kind}]).`],
      [`{"value": "${key}"}`, `{"value": "[REDACTED:${kind}]"}`],
    ]),
    [["names that share a prefix", "fw_update_v2 fw_version npm_config_registry vcp_enabled cfk_cache glsa_url pscale_tkn_name"]],
  );
});

describe("a Linear OAuth access token (lin_oauth_ and 64 hex digits) wherever it appears, not only after a keyword", () => {
  // Built at run time: no token-shaped literal in the repository.
  const token = ["lin", "oauth", "a4c123b1612dd272d1371c17149d439536b3216fdaeeb975729fae923d5a4fd1"].join("_");
  const apiKey = ["lin", "api", "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5cD7e"].join("_");
  exactAndKept(
    [
      [`use ${token} for the sync`, "use [REDACTED:linear-oauth-token] for the sync"],
      [`revoked (${token}).`, "revoked ([REDACTED:linear-oauth-token])."],
      [`{"data": "${token}", "expires_in": 315705599}`, '{"data": "[REDACTED:linear-oauth-token]", "expires_in": 315705599}'],
      [`linear.setup(${token})`, "linear.setup([REDACTED:linear-oauth-token])"],
      [`and the personal key ${apiKey}`, "and the personal key [REDACTED:linear-api-key]"],
    ],
    [["placeholders and names that share the prefix", "accessToken: 'lin_oauth_...'\nconst t = 'lin_oauth_xxx'; lin_oauth_token_url lin_oauth_secret\nlin_oauth_a4c123b1612dd272 is cut short"]],
  );
});

describe("a Fly.io token as fly tokens create prints it: two macaroons joined by a comma (FlyV1 fm2_…,fm2_…), the first no longer left whole", () => {
  const macaroon = "lJPECAAAAAAAAMhmxBBxZx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE1234567890abcdefghijklmnopqrstuv+/".repeat(3);
  const fm2 = (body: string) => ["fm2", body].join("_");
  exactAndKept(
    [
      [`FlyV1 ${fm2(macaroon)},${fm2(`${macaroon}Q==`)}\n`, "FlyV1 [REDACTED:flyio-access-token],[REDACTED:flyio-access-token]\n"],
      [`fly deploy works with FlyV1 ${fm2(macaroon)}, thanks`, "fly deploy works with FlyV1 [REDACTED:flyio-access-token], thanks"],
    ],
    [["placeholders, cut short", `fly_auth("${fm2("example")}") and FlyV1 ${fm2("FAKE0000".repeat(7))},${fm2("x")}`]],
  );
});

describe("an AWS session token where no name labels it: the tab-separated line aws sts get-session-token --output text prints", () => {
  // Built at run time: no token-shaped literal in the repository.
  const body = "EJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDk7nq3Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl+/ABCDEFGH==";
  const current = ["IQoJb3JpZ2lu", "X2Vj", body].join("");
  const older = ["FwoGZXIv", "YXdzE", body].join("");
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9x2Lp4KQ";
  exactAndKept(
    [
      [
        `CREDENTIALS\tASIAQ9X2LP4ABCDEFGHI\t2026-12-08T06:00:00Z\t${secret}\t${current}\n`,
        "CREDENTIALS\t[REDACTED:aws-access-key-id]\t2026-12-08T06:00:00Z\t[REDACTED:aws-secret-key]\t[REDACTED:aws-session-token]\n",
      ],
      [`the old one was ${older}.`, "the old one was [REDACTED:aws-session-token]."],
    ],
    [["the documentation's examples, cut short", "export AWS_SESSION_TOKEN=AQoDYXdzEJr...\nsessionToken: 'FwoGZXIvYXdzEBYaDExampleSessionToken',\nIQoJb3JpZ2luX2Vj is origin_ec in base64"]],
  );
});

describe("a token as a URL's user with no password (git remote -v after cloning with https://<token>@host, as GitHub's and Azure DevOps' docs show)", () => {
  exactAndKept(
    [
      [
        "origin\thttps://0123456789abcdef0123456789abcdef01234567@github.com/acme/app.git (fetch)",
        "origin\thttps://[REDACTED:secret]@github.com/acme/app.git (fetch)",
      ],
      ["git clone https://x7kq2m3pz5ab4cd6ef7gh2ij3kl4mn5op6qr7st2uv3wx4yz5ab6@dev.azure.com/org/p/_git/r", "git clone https://[REDACTED:secret]@dev.azure.com/org/p/_git/r"],
      ["url = https://Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE@bitbucket.org/acme/app.git", "url = https://[REDACTED:secret]@bitbucket.org/acme/app.git"],
    ],
    [
      [
        "a person's, a service's or a bot's name as the user, and placeholders",
        "origin\thttps://alice@github.com/acme/app.git (fetch)\nssh://git@github.com/acme/app.git\nhttps://AlexanderSmith2@bitbucket.org/acme/app.git\nhttps://deploy-bot-2024-production@git.example.com/x\nhttps://your_personal_access_token@github.com/x https://xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@github.com/x",
      ],
    ],
  );
});

describe("a Redis user's passwords in its ACL rules (ACL SETUSER … >pass, ACL LIST's and users.acl's #<sha256>)", () => {
  const hash = "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92";
  exactAndKept(
    [
      ["redis-cli ACL SETUSER app on >hunter2x ~cached:* +get", "redis-cli ACL SETUSER app on >[REDACTED:password] ~cached:* +get"],
      ["127.0.0.1:6379> acl setuser app on '>correct horse' allkeys +@all", "127.0.0.1:6379> acl setuser app on '>[REDACTED:password]' allkeys +@all"],
      [`1) "user default on nopass ~* &* +@all"\n2) "user app on #${hash} ~cached:* resetchannels -@all +get"`, '1) "user default on nopass ~* &* +@all"\n2) "user app on #[REDACTED:password-hash] ~cached:* resetchannels -@all +get"'],
      [`user app on >correcthorse ~* +@all\nuser old off <hunter2x !${hash} resetkeys\n`, "user app on >[REDACTED:password] ~* +@all\nuser old off <[REDACTED:password] ![REDACTED:password-hash] resetkeys\n"],
    ],
    [
      ["a variable for the password, no password, a rule that is no hash", 'ACL SETUSER app on >$REDIS_PASSWORD ~* +@all\nuser default on nopass ~* +@all\nuser ci on #issue-42 ~ci:* +get'],
      ["sentences that start with user", "user on mobile >50 devices\nuser logs on <br> twice\nuser off #general channel"],
    ],
  );
});

describe("a cloud secret store's one value read as text (gcloud secrets versions access, aws … --output text, az keyvault … -o tsv, secrets get --plain)", () => {
  const { redactOutput } = createRedactor();
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  const commands = [
    "gcloud secrets versions access latest --secret=db --project shop",
    "aws ssm get-parameter --name /shop/db --with-decryption --query Parameter.Value --output text",
    "aws secretsmanager get-secret-value --secret-id prod/db --query SecretString --output text",
    "az keyvault secret show --vault-name kv -n db --query value -o tsv",
    "infisical secrets get DB_PASSWORD --plain",
    "doppler secrets get DB_PASSWORD --plain",
  ];
  for (const command of commands) test(command, () => expect(read(command, "correct horse battery\n")).toBe("[REDACTED:secret]\n"));
  test("kept: the clouds' errors", () => {
    const errors: [command: string, error: string][] = [
      ["gcloud secrets versions access latest --secret=db", "ERROR: (gcloud.secrets.versions.access) NOT_FOUND: Secret [projects/1/secrets/db] not found or has no versions.\n"],
      ["aws ssm get-parameter --name /db --with-decryption --output text", "\nAn error occurred (ParameterNotFound) when calling the GetParameter operation: \n"],
      ["az keyvault secret show --vault-name kv -n db -o tsv", "ERROR: (SecretNotFound) A secret with (name/id) db was not found in this key vault.\n"],
    ];
    for (const [command, error] of errors) expect(read(command, error)).toBe(error);
  });
});

describe("a password manager's one value read pasted below its prompt ($ op read …, $ bw get password …): its line whatever its shape", () => {
  exactAndKept(
    [
      ["$ op read op://Private/stripe/credential\ncorrect horse battery\n$ echo done\n", "$ op read op://Private/stripe/credential\n[REDACTED:secret]\n$ echo done\n"],
      ["me@box:~$ bw get password github\nhunter two x\n", "me@box:~$ bw get password github\n[REDACTED:secret]\n"],
    ],
    [
      ["its error", "$ op read op://Private/stripe/credential\n[ERROR] 2026/12/07 10:00:00 could not read secret: item not found\n"],
      ["another command's output when the value is piped on", "$ op read op://a/b/c | docker login ghcr.io -u me --password-stdin\nLogin Succeeded\n"],
    ],
  );
});

describe("doppler secrets' and infisical secrets' boxes: every value but Doppler's own rows, whatever its shape (a word under STRIPE, a passphrase)", () => {
  const { redactOutput } = createRedactor();
  const box = (stripe: string, db: string) =>
    `┌─────────────────────┬───────────────────────┬──────┐\n│ NAME                │ VALUE                 │ NOTE │\n├─────────────────────┼───────────────────────┼──────┤\n│ DOPPLER_CONFIG      │ prd                   │      │\n├─────────────────────┼───────────────────────┼──────┤\n│ DOPPLER_PROJECT     │ shop                  │      │\n├─────────────────────┼───────────────────────┼──────┤\n│ STRIPE              │ ${stripe} │      │\n├─────────────────────┼───────────────────────┼──────┤\n│ DB_PASS             │ ${db} │      │\n└─────────────────────┴───────────────────────┴──────┘\n`;
  const words = box("correcthorse         ", "correct horse battery");
  const masked = box("[REDACTED:secret]", "[REDACTED:secret]").replace("[REDACTED:secret] │", "[REDACTED:secret]          │");
  for (const command of ["doppler secrets", "doppler secrets -p shop -c prd"]) test(command, () => expect(redactOutput(words, commandPrints(command) ?? "key").text).toBe(masked));
  exactAndKept([[`$ doppler secrets\n${words}`, `$ doppler secrets\n${masked}`]], [["names only, and one secret's own reading", "$ doppler secrets --only-names\n│ NAME │\n│ STRIPE │\n"]]);
  test("kept: names only, a secret set", () => expect(["doppler secrets --only-names", "doppler secrets set A=b"].map(commandPrints)).toEqual([undefined, undefined]));
  test("infisical secrets' box, its columns named SECRET NAME and SECRET VALUE", () => {
    const infisical = (stripe: string, db: string) =>
      `┌─────────────┬───────────────────────┬─────────────┐\n│ SECRET NAME │ SECRET VALUE          │ SECRET TYPE │\n├─────────────┼───────────────────────┼─────────────┤\n│ STRIPE      │ ${stripe} │ shared      │\n│ DB_PASSWORD │ ${db} │ shared      │\n└─────────────┴───────────────────────┴─────────────┘\n`;
    const output = infisical("correcthorse         ", "correct horse battery");
    expect(redactOutput(output, commandPrints("infisical secrets --env=prod") ?? "key").text).toBe(output.replace("correcthorse", "[REDACTED:secret]").replace("correct horse battery", "[REDACTED:secret]"));
  });
});

describe("a password manager's one value read (op read, bw get password, secret-tool lookup, security … -w): its line whatever its shape", () => {
  const { redactOutput } = createRedactor();
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  for (const command of ["op read op://Private/stripe/credential", "cd app && op read 'op://Dev/db/password'", "op item get db --fields password --reveal", "bw get password github", "secret-tool lookup service smtp", "security find-generic-password -s smtp -w"]) {
    test(command, () => expect(read(command, "correct horse battery\n")).toBe("[REDACTED:secret]\n"));
  }
  test("kept: its error, and another command's output when the value is piped on or read inside $(…)", () => {
    const error = '[ERROR] 2026/12/07 10:00:00 could not read secret "op://Private/stripe/credential": item not found\n';
    expect(read("op read op://Private/stripe/credential", error)).toBe(error);
    expect(["op read op://a/b/c | docker login ghcr.io -u me --password-stdin", 'curl -H "Authorization: Bearer $(op read op://a/b/c)" https://api.example.com'].map(commandPrints)).toEqual(["any", "any"]);
    expect(read("op read op://a/b/c | docker login ghcr.io -u me --password-stdin", "Login Succeeded\n")).toBe("Login Succeeded\n");
  });
});

describe("an authorization scheme before a credential in quotes, as a JSON value or a flag's value (token: \"FlyV1 fm2_…\"): the scheme stays, as after Authorization:", () => {
  // Built at run time: no token-shaped literal in the repository.
  const macaroon = ["fm2", "lJPECAAAAAAAAMWUxBDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA/" + "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE".repeat(3)].join("_");
  const fly = "[REDACTED:flyio-access-token]";
  exactAndKept(
    [
      [`token: "FlyV1 ${macaroon}"`, `token: "FlyV1 ${fly}"`],
      [`export FLY_API_TOKEN='FlyV1 ${macaroon}'`, `export FLY_API_TOKEN='FlyV1 ${fly}'`],
      [`fly_token = "FlyV1 ${macaroon}"`, `fly_token = "FlyV1 ${fly}"`],
      [`flyctl deploy --access-token "FlyV1 ${macaroon}"`, `flyctl deploy --access-token "FlyV1 ${fly}"`],
      ['api_key: "Bearer Zx8Cv7Bn6Mq5Lp4KHx9k"', 'api_key: "Bearer [REDACTED:bearer-token]"'],
    ],
    [["a scheme's name quoted alone, and before a variable", 'token: "FlyV1"\nFLY_API_TOKEN="FlyV1 $FLY_TOKEN"\napi_key: "Bearer ${API_KEY}"']],
  );
  test("as a JSON value under a secret's name or a header's", () => {
    const { redactValue } = createRedactor();
    const out = redactValue({ token: `FlyV1 ${macaroon}`, env: { FLY_API_TOKEN: `FlyV1 ${macaroon}` }, headers: { Authorization: "Bearer Zx8Cv7Bn6Mq5Lp4KHx9k" }, mode: "FlyV1 docs" });
    expect(out.value).toEqual({ token: "FlyV1 [REDACTED:secret]", env: { FLY_API_TOKEN: "FlyV1 [REDACTED:secret]" }, headers: { Authorization: "Bearer [REDACTED:secret]" }, mode: "FlyV1 docs" });
    expect(redactValue({ token: "FlyV1", auth: "Bearer $TOKEN" })).toEqual({ value: { token: "FlyV1", auth: "Bearer $TOKEN" }, count: 0 });
  });
});

describe("a Linear OAuth refresh token (lin_refresh_) wherever it appears, as its access token is", () => {
  // Built at run time: no token-shaped literal in the repository.
  const token = ["lin", "refresh", "9f2c41d7b0e8a6c3f5d1e4b7a9c2d8f0e3b6a1c4d7f9e2b5a8c1d4e7f0a3b6c9"].join("_");
  exactAndKept(
    [
      [`the refresh token is ${token}.`, "the refresh token is [REDACTED:linear-refresh-token]."],
      [`{"access_token": "x", "data": "${token}", "expires_in": 86399}`, '{"access_token": "x", "data": "[REDACTED:linear-refresh-token]", "expires_in": 86399}'],
      [`linear.refresh(${token})`, "linear.refresh([REDACTED:linear-refresh-token])"],
    ],
    [["placeholders, names that share the prefix, a cut-short token", "refreshToken: 'lin_refresh_...'\nconst t = 'lin_refresh_xxx'; lin_refresh_token_url lin_refresh_recorded_first\nlin_refresh_tokenStoredForTheWorkspaceUser\nlin_refresh_9f2c41d7b0e8a6c3 is cut short"]],
  );
});

describe("a file of secrets decrypted (sops -d) or a stack's config with its secrets shown (pulumi config --show-secrets), pasted with its command: the lines below are its output", () => {
  exactAndKept(
    [
      [
        "$ pulumi config --show-secrets\nKEY                 VALUE\naws:region          us-west-2\nmyapp:replicas      3\nmyapp:dbPassword    S3cr3t!x\nmyapp:stripeConfig  a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\n",
        "$ pulumi config --show-secrets\nKEY                 VALUE\naws:region          us-west-2\nmyapp:replicas      3\nmyapp:dbPassword    [REDACTED:secret]\nmyapp:stripeConfig  [REDACTED:secret]\n",
      ],
      [
        "me@box:~/infra$ sops -d secrets.enc.yaml\nregion: eu-west-1\nstripe: a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\nmailer: Zx8Cv7Bn6Mq5Lp4Kj3Hg2Fd1\n",
        "me@box:~/infra$ sops -d secrets.enc.yaml\nregion: eu-west-1\nstripe: [REDACTED:secret]\nmailer: [REDACTED:secret]\n",
      ],
    ],
    [
      [
        "a config without its secrets, and a prompt's next command",
        "$ pulumi config\nKEY                 VALUE\nmyapp:stripeConfig  [secret]\nmyapp:build         a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\n$ sops -d secrets.enc.yaml > /dev/null\n$ cat notes.txt\nsummary: a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\n",
      ],
      ["a dump named in prose, its lines no output", "Run sops -d secrets.enc.yaml to read them.\nbuild: a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"],
    ],
  );
});

describe("a stack's config value under its project:key name, outside pulumi's table: a secret's name and a value like a password", () => {
  exactAndKept(
    [
      ["myapp:dbPass  Xk9mQ2pL7vR3", "myapp:dbPass  [REDACTED:secret]"],
      ["the config has myapp:apiToken   Xk9mQ2pL7vR3", "the config has myapp:apiToken   [REDACTED:secret]"],
      ["  my-app:dbPassword    S3cr3t!x   (set yesterday)", "  my-app:dbPassword    [REDACTED:secret]   (set yesterday)"],
    ],
    [
      [
        "a region, a word, a stand-in, a path, a key of no secret's name",
        "aws:region us-west-2\nauth:token refreshed after 300s\nmyapp:dbPassword [secret]\nmyapp:apiKey <your-api-key>\nhttps://example.test/auth:token abc123XYZ\nmyapp:replicas Xk9mQ2pL7vR3",
      ],
    ],
  );
});

describe("a password told after French mdp (mot de passe's short form) or Italian parola d'ordine", () => {
  exactAndKept(
    [
      ["mdp: Xk9mQ2pL7vR3", "mdp: [REDACTED:secret]"],
      ["mdp : Xk9mQ2pL7vR3", "mdp : [REDACTED:secret]"],
      ["le mdp c'est Tr0ub4dor&3", "le mdp c'est [REDACTED:password]"],
      ["mdp du serveur: Xk9mQ2pL7vR3", "mdp du serveur: [REDACTED:password]"],
      ["parola d'ordine: Xk9mQ2pL7vR3", "parola d'ordine: [REDACTED:password]"],
    ],
    [["a Markov decision process (MDP)", "MDP: Markov decision process\nthe MDP is solved by value iteration\nmdp_solver.py mdp-v2 MDP(S, A, P, R)"]],
  );
});

describe("cookies in code (a Python dict, Playwright's addCookies): a signed value with dots or a session id in long hex goes, under any name", () => {
  const hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  exactAndKept(
    [
      ['requests.get(url, cookies={"session": "k3j9xq2m.vb8wz7ty.5rpl0aenf4"})', 'requests.get(url, cookies={"session": "[REDACTED:secret]"})'],
      [`cookies = {'theme': 'dark', 'sid': '${hex}'}`, "cookies = {'theme': 'dark', 'sid': '[REDACTED:secret]'}"],
      [
        `await page.context().addCookies([{ name: 'sid', value: '${hex}', domain: 'x.test', path: '/' }])`,
        "await page.context().addCookies([{ name: 'sid', value: '[REDACTED:secret]', domain: 'x.test', path: '/' }])",
      ],
    ],
    [["an analytics cookie, a word, a UUID", "cookies = {'_ga': 'GA1.2.1234567890.1712345678', 'theme': 'dark', 'cart': '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d'}"]],
  );
});

describe("a password given on the command line to dotnet nuget add source, expo login, bw unlock or login, drush upwd, and certbot's --eab-hmac-key", () => {
  exactAndKept(
    [
      [
        "dotnet nuget add source https://nuget.pkg.github.com/acme/index.json -n github -u dev -p Zx8Cv7Bn6Mq5Lp4K --store-password-in-clear-text",
        "dotnet nuget add source https://nuget.pkg.github.com/acme/index.json -n github -u dev -p [REDACTED:password] --store-password-in-clear-text",
      ],
      ["npx expo login -u dev -p 'Hunter2024!'", "npx expo login -u dev -p '[REDACTED:password]'"],
      ["bw unlock Hunter2024!\nbw login me@acme.dev 'Tr0ub4dor&3'", "bw unlock [REDACTED:password]\nbw login me@acme.dev '[REDACTED:password]'"],
      ["drush upwd admin 'Hunter2024!'; drush user:password editor Zx8Cv7Bn6Mq5", "drush upwd admin '[REDACTED:password]'; drush user:password editor [REDACTED:password]"],
      ["certbot certonly --eab-kid kid_1 --eab-hmac-key Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE -d acme.dev", "certbot certonly --eab-kid kid_1 --eab-hmac-key [REDACTED:secret] -d acme.dev"],
    ],
    [
      [
        "prose naming the commands, flags naming a variable, other subcommands",
        "use bw unlock to get a session\nbw unlock --passwordenv BW_PASS --raw\nbw login --apikey\ndrush upwd admin to reset it\ndotnet nuget add source ./packages -n local\ndotnet pack -p:Version=1.2\nexpo login -u dev",
      ],
    ],
  );
});

describe("a secret in a property list (<key>API_TOKEN</key> then <string>…</string>) and in an element an attribute names (<entry key=\"db.password\">…</entry>)", () => {
  const plist = (key: string, value: string) => `<dict>\n\t<key>EnvironmentVariables</key>\n\t<dict>\n\t\t<key>${key}</key>\n\t\t<string>${value}</string>\n\t</dict>\n</dict>`;
  exactAndKept(
    [
      [plist("API_TOKEN", "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE"), plist("API_TOKEN", "[REDACTED:secret]")],
      ["<key>password</key>\n<string>Hunter2024!</string>\n<key>SecretKey</key><string>Zx8Cv7Bn6Mq5Lp4K</string>", "<key>password</key>\n<string>[REDACTED:secret]</string>\n<key>SecretKey</key><string>[REDACTED:secret]</string>"],
      ['<properties>\n  <entry key="db.password">Hunter2024!</entry>\n  <entry key="db.user">app</entry>\n</properties>', '<properties>\n  <entry key="db.password">[REDACTED:secret]</entry>\n  <entry key="db.user">app</entry>\n</properties>'],
      ['<param name="secret">Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE</param>', '<param name="secret">[REDACTED:secret]</param>'],
    ],
    [
      [
        "an app's settings, a build variable, a usage string, a form",
        '<key>CFBundleVersion</key>\n<string>1.0</string>\n<key>API_TOKEN</key>\n<string>$(API_TOKEN)</string>\n<key>NSFaceIDUsageDescription</key>\n<string>Use Face ID to unlock your passwords</string>\n<key>PasswordField</key><string>Password</string>\n<input name="password" value="">\n<label name="token">Your token</label>\n<entry key="db.password">${DB_PASSWORD}</entry>',
      ],
    ],
  );
});

describe("a password or a key under a label in another script that is a quoted key (JSON's, a Python dict's)", () => {
  exactAndKept(
    [
      ['{"用户名": "admin", "密码": "Hunter2024!"}', '{"用户名": "admin", "密码": "[REDACTED:password]"}'],
      ["{'пароль': 'Zx8Cv7Bn6Mq5'}", "{'пароль': '[REDACTED:password]'}"],
      ['"パスワード": "Zx8Cv7Bn6Mq5",\n"lösenord" : "Tr0ub4dor&3"', '"パスワード": "[REDACTED:password]",\n"lösenord" : "[REDACTED:password]"'],
      ['"токен": "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE"', '"токен": "[REDACTED:secret]"'],
    ],
    [["a locale's strings, a form's label", '"Пароль": "Password",\n"пароль": "Enter password",\n"密码": "请输入密码",\n{"label": "密码", "type": "password"},\n"şifre": "Password"']],
  );
});

describe("a password told after Ukrainian пароль and a few words naming whose (від, і, ї, є: letters Russian lacks)", () => {
  exactAndKept(
    [
      ["пароль від бази: Xk9mQ2pL7vR3", "пароль від бази: [REDACTED:password]"],
      ["Пароль від Wi-Fi: Xk9mQ2pL7vR3", "Пароль від Wi-Fi: [REDACTED:password]"],
    ],
    [["a sentence about the password, no value told", "пароль від бази зберігається у Vault\nпароль від бази: див. нотатки"]],
  );
});

describe("a password told before its label after 'set it to' or 'changed it to' (… as the new password)", () => {
  exactAndKept(
    [
      ["I set it to Xk9#mQ2pL7 as the new password", "I set it to [REDACTED:password] as the new password"],
      ["changed it to Xk9#mQ2pL7 as the root password", "changed it to [REDACTED:password] as the root password"],
    ],
    [["a setting told so, a word", "I set it to true as the password policy says"]],
  );
});

describe("a secret fed by a here-string or a pipe into what reads it from its input: a registry's login --password-stdin, pass insert, secret-tool store, keyring set", () => {
  const key = "Xk9mQ2pL7vR3aBcDeF";
  exactAndKept(
    [
      [`docker login -u me --password-stdin <<< ${key}`, "docker login -u me --password-stdin <<< [REDACTED:secret]"],
      [`gh auth login --with-token <<< ${key}`, "gh auth login --with-token <<< [REDACTED:secret]"],
      [`pass insert -m app/stripe <<< ${key}`, "pass insert -m app/stripe <<< [REDACTED:secret]"],
      [`keyring set stripe me <<< "${key}"`, 'keyring set stripe me <<< "[REDACTED:secret]"'],
      [`echo ${key} | pass insert -e app/stripe`, "echo [REDACTED:secret] | pass insert -e app/stripe"],
      [`printf '%s' '${key}' | secret-tool store --label=x service stripe`, "printf '%s' '[REDACTED:secret]' | secret-tool store --label=x service stripe"],
    ],
    [["a variable's name fed, and a search's input", `pass insert app/stripe <<< "$STRIPE_KEY"\ngrep x <<< "${key}"`]],
  );
});

describe("a platform's secret or variable set from the command line: Modal's secret create NAME=…, netlify env:set, convex env set, glab variable set, eas secret:create", () => {
  const key = "Xk9mQ2pL7vR3aBcDeF";
  exactAndKept(
    [
      [`modal secret create stripe STRIPE=${key}`, "modal secret create stripe STRIPE=[REDACTED:secret]"],
      [`netlify env:set STRIPE ${key}`, "netlify env:set STRIPE [REDACTED:secret]"],
      [`npx convex env set STRIPE ${key}`, "npx convex env set STRIPE [REDACTED:secret]"],
      [`glab variable set STRIPE ${key} --masked`, "glab variable set STRIPE [REDACTED:secret] --masked"],
      ["eas secret:create --scope project --name STRIPE --value hunter2", "eas secret:create --scope project --name STRIPE --value [REDACTED:secret]"],
    ],
    [["settings, and a variable's name", "netlify env:set NODE_VERSION 20\nnpx convex env set SITE_URL https://x.test\nglab variable set DEPLOY_ENV production\nmodal secret create stripe STRIPE=$STRIPE_KEY"]],
  );
});

describe("a VPN's or a Wi-Fi's pre-shared key told in prose (the PSK is …, pre-shared key: …)", () => {
  exactAndKept(
    [
      ["The VPN PSK is Xk9mQ2pL7vR3aBcDeF", "The VPN PSK is [REDACTED:password]"],
      ["the IPsec preshared key is Tr0ub4dor&3", "the IPsec preshared key is [REDACTED:password]"],
    ],
    [["where the key is kept, no value", "the PSK is stored in /etc/ipsec.secrets\npsk is set via PSK_FILE env"]],
  );
});

describe("a platform's config vars printed with their values (heroku config, netlify env:list, convex env list, eas env:list, terraform output), as a tool's result or pasted with the command", () => {
  const { redactOutput } = createRedactor();
  const key = "Xk9mQ2pL7vR3aBcDeFgH2";
  test("the command prints an environment file's lines; one value, a set, JSON print none", () => {
    const printing = ["heroku config -a app", "dokku config:show app", "netlify env:list --plain", "npx convex env list", "eas env:list", "terraform output"];
    expect(printing.map(commandPrints)).toEqual(printing.map(() => "env"));
    expect(["heroku config:set A=b", "terraform output -json"].map(commandPrints)).toEqual([undefined, undefined]);
    expect(redactOutput(`=== app Config Vars\nDATABASE_URL: postgres://db.internal/app\nSTRIPE:       ${key}\n`, "env").text).toBe(
      "=== app Config Vars\nDATABASE_URL: postgres://db.internal/app\nSTRIPE:       [REDACTED:secret]\n",
    );
  });
  exactAndKept(
    [[`$ heroku config -a app\n=== app Config Vars\nSTRIPE:       ${key}\n$ ls\n`, "$ heroku config -a app\n=== app Config Vars\nSTRIPE:       [REDACTED:secret]\n$ ls\n"]],
    [["a setting's value", "$ heroku config -a app\n=== app Config Vars\nNODE_ENV:     production\nWEB_CONCURRENCY: 2\n"]],
  );
});

describe("a cookie set in code by its name and value (res.cookie, set_cookie, setcookie, cookies().set): a login's token goes", () => {
  const hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  exactAndKept(
    [
      ['res.cookie("session", "k3j9xq2m.Xk9mQ2pL7vR3aB", { httpOnly: true })', 'res.cookie("session", "[REDACTED:cookie]", { httpOnly: true })'],
      [`response.set_cookie("sid", value="${hex}")`, 'response.set_cookie("sid", value="[REDACTED:cookie]")'],
      ['cookies().set("session", "Xk9mQ2pL7vR3aBcDeFgH2")', 'cookies().set("session", "[REDACTED:cookie]")'],
    ],
    [["a word, a variable, a locale", 'res.cookie("theme", "dark"); res.cookie("session", token, { httpOnly: true }); setcookie("lang", "en-US");']],
  );
});

describe("pulumi config set with --secret after the value (pulumi config set name x --secret)", () => {
  exactAndKept(
    [
      ["pulumi config set stripeKey Xk9mQ2pL7vR3aBcDeF --secret", "pulumi config set stripeKey [REDACTED:password] --secret"],
      ["pulumi config set dbPassword hunter2x --secret --stack dev", "pulumi config set dbPassword [REDACTED:password] --secret --stack dev"],
    ],
    [["a plain setting, the secret read from a file", "pulumi config set aws:region us-west-2\npulumi config set replicas 3 --stack dev\npulumi config set dbPassword --secret < pw.txt"]],
  );
});

describe("Cloud Foundry's cf auth user password: the operand after the user, shaped like a password", () => {
  exactAndKept(
    [
      ["cf auth me@x.test Xk9mQ2pL7vR3aBcDeF", "cf auth me@x.test [REDACTED:password]"],
      ["cf auth admin 'Tr0ub4dor&3'", "cf auth admin '[REDACTED:password]'"],
    ],
    [["prose, a flag, a variable", 'cf auth flow below explains it\ncf auth --client-credentials\ncf auth admin "$CF_PASSWORD"']],
  );
});

describe("a JSON file of secrets decrypted (sops -d secrets.enc.json): each opaque token under any name, as YAML's are", () => {
  const { redactOutput } = createRedactor();
  const key = "Xk9mQ2pL7vR3aBcDeFgH2";
  test("as the tool's result and pasted with the command; a region and a commit stay", () => {
    const output = `{\n    "stripe": "${key}",\n    "region": "eu-west-1",\n    "commit": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"\n}\n`;
    const masked = output.replace(key, "[REDACTED:secret]");
    expect(commandPrints("sops -d secrets.enc.json")).toBe("env");
    expect(redactOutput(output, "env").text).toBe(masked);
    expect(redact(`$ sops -d secrets.enc.json\n${output}`).text).toBe(`$ sops -d secrets.enc.json\n${masked}`);
  });
});

describe("a password named in French, German, Turkish or Polish (mot_de_passe, Kennwort, şifre, hasło as haslo) in settings, JSON and code", () => {
  exactAndKept(
    [
      ["DB_MOT_DE_PASSE=Xk9mQ2pL7vR3\nmotdepasse=soleilbleu", "DB_MOT_DE_PASSE=[REDACTED:secret]\nmotdepasse=[REDACTED:secret]"],
      ['{"utilisateur": "admin", "motDePasse": "Xk9mQ2pL7vR3"}', '{"utilisateur": "admin", "motDePasse": "[REDACTED:secret]"}'],
      ["DB_KENNWORT=geheim123\nkennwort: Xk9mQ2pL7vR3", "DB_KENNWORT=[REDACTED:secret]\nkennwort: [REDACTED:secret]"],
      ["YENI_SIFRE=Xk9mQ2pL7vR3\n  sifre = 'Zz8kq1wm2xQ4'", "YENI_SIFRE=[REDACTED:secret]\n  sifre = '[REDACTED:secret]'"],
      ['DB_HASLO=Xk9mQ2pL7vR3\n<haslo>Zz8kq1wm2xQ4</haslo>', "DB_HASLO=[REDACTED:secret]\n<haslo>[REDACTED:secret]</haslo>"],
    ],
    [
      ["code reading them, a path, a word going on", 'mot_de_passe = request.form["mot_de_passe"]\nsifre = input("Şifre: ")\nuser.haslo = hash(haslo)\nSIFRE_DOSYASI=/etc/app/sifre.txt\nconst hasLoaded = "Zx8Cv7Bn6Mq5Lp4K"\nsifreleme = "AES256"'],
    ],
  );
});

describe("French's short password label MDP in NAME=value and NAME: value; an MDP (Markov decision process) in prose stays", () => {
  exactAndKept(
    [
      ["MDP=Xk9mQ2pL7vR3", "MDP=[REDACTED:secret]"],
      ["DB_MDP=Xk9mQ2pL7vR3", "DB_MDP=[REDACTED:secret]"],
      ["mdp: Xk9mQ2pL7vR3", "mdp: [REDACTED:secret]"],
    ],
    [["a Markov decision process", "the MDP is solved by value iteration; mdp = GridWorldMDP(4)\nmdp: gridworld"]],
  );
});

describe("docker inspect's environment as a JSON array alone (--format '{{json .Config.Env}}'): a value drawn at random under any name", () => {
  exactAndKept(
    [
      ['["STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH","DB_PASSWORD=hunter2pw","PATH=/usr/bin"]', '["STRIPE=[REDACTED:secret]","DB_PASSWORD=[REDACTED:secret]","PATH=/usr/bin"]'],
      ['$ docker inspect app --format \'{{json .Config.Env}}\'\n["NODE_ENV=production","STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"]', '$ docker inspect app --format \'{{json .Config.Env}}\'\n["NODE_ENV=production","STRIPE=[REDACTED:secret]"]'],
    ],
    [["an image's plain environment, a list of words", '["PATH=/usr/local/sbin:/usr/bin","NODE_VERSION=20.11.1","YARN_VERSION=1.22.19","LANG=C.UTF-8"]\n["a=b", "build", "test"]']],
  );
});

describe("a stack's project:key config value under a camelCase key ending in Key, Token, Secret or Password", () => {
  exactAndKept(
    [
      ["billing:stripeKey a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH", "billing:stripeKey [REDACTED:secret]"],
      ["the config has myapp:githubToken   Xk9mQ2pL7vR3aBcDeF", "the config has myapp:githubToken   [REDACTED:secret]"],
    ],
    [["a plain setting, a key word that is no secret's, a word value", "billing:monkey a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\nbilling:sortKey createdAt\nmyapp:apiKey rotated\nbilling:cacheKey a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"]],
  );
});

describe("a key stored as a GitHub Actions variable (gh variable set NAME --body …): an opaque token goes, a setting stays", () => {
  exactAndKept(
    [
      ["gh variable set STRIPE --body a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH", "gh variable set STRIPE --body [REDACTED:secret]"],
      ['gh variable set STRIPE -b "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH" --repo me/app', 'gh variable set STRIPE -b "[REDACTED:secret]" --repo me/app'],
    ],
    [["settings", 'gh variable set NODE_ENV --body production\ngh variable set API_URL --body https://api.example.test/v2\ngh variable set VERSION -b "1.2.3"']],
  );
});

describe("a GitHub Actions variable named for a secret (gh variable set DB_PASSWORD --body …): its value whatever its shape", () => {
  exactAndKept(
    [
      ["gh variable set DB_PASSWORD --body 'Hx9!kQ2pLz'", "gh variable set DB_PASSWORD --body '[REDACTED:secret]'"],
      ["gh variable set --repo me/app API_TOKEN -b Hx9!kQ2pLz", "gh variable set --repo me/app API_TOKEN -b [REDACTED:secret]"],
    ],
    [["a setting's name, a secret's setting, a reference", 'gh variable set REGION --body eu-west-1\ngh variable set TOKEN_TTL --body 3600\ngh variable set PASSWORD_MIN_LENGTH -b 12\ngh variable set DB_PASSWORD --body "$DB_PASSWORD"']],
  );
});

describe("HTTPie's and xh's bearer token (-A bearer -a <token>), and xh's basic password (-a user:x)", () => {
  exactAndKept(
    [
      ["xh api/me -A bearer -a Xk9mQ2pL7vR3zT8wN1bY4cH6dJ", "xh api/me -A bearer -a [REDACTED:password]"],
      ["http -A bearer -a Xk9mQ2pL7vR3zT8wN1bY4cH6dJ example.org/api", "http -A bearer -a [REDACTED:password] example.org/api"],
      ["xh -a alice:Hx9kQ2pLz77 httpbin.org/basic-auth", "xh -a alice:[REDACTED:password] httpbin.org/basic-auth"],
    ],
    [["a reference, no token, prose", "xh -A bearer -a $TOKEN api/me\nhttp --auth-type=bearer example.org\nthe xh -a flag\nhttp -a alice example.org"]],
  );
});

describe("a key split by hand after its label, or wrapped at a terminal's width of no usual tool: its rest alone on the next line", () => {
  const key = "sk-ant-api03-Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sUa8F3kQ9zX2mV7pL4tR6wN1bY5cD0eHq7Wz3Kp9Lm2Vn8Bx4Rt6Yj1Hs5Dg0Fc3Nq7Zw2Pk9Xm4Lt8Rv6Jb";
  const line = `$ export ANTHROPIC_API_KEY=${key}`;
  exactAndKept(
    [
      ["my key is Xk9mQ2pL7vR3zT8w\nN1bY4cH6dJ0fG5sU", "my key is [REDACTED:secret]"],
      [`${line.slice(0, 147)}\n${line.slice(147)}\n$ claude`, "$ export ANTHROPIC_API_KEY=[REDACTED:anthropic-key]\n$ claude"],
    ],
    [],
  );
  test("kept: prose, a setting, a name in words or a short word below a key", () => {
    const below = ["thanks for helping", "NODE_ENV=production", "UserAuthService2", "something_else_v2_config", "iOS17"];
    for (const next of below) expect(redact(`my key is Xk9mQ2pL7vR3zT8w\n${next}`).text).toBe(`my key is [REDACTED:secret]\n${next}`);
  });
});

describe("a password told as the same as another's, then written: \"the password for bob is the same as the wifi one: …\"", () => {
  exactAndKept(
    [
      ["the password for bob is the same as the wifi one: Hunter22x!", "the password for bob is the same as the wifi one: [REDACTED:password]"],
      ["the token was same as before: Xk9mQ2pL7vR3zT8wN1bY", "the token was same as before: [REDACTED:secret]"],
    ],
    [["no value, a name, a file, a word", "the password is the same as the wifi one\nthe password is the same as the username: admin\nthe password is the same as in config: config.yml\ntoken was the same as the old one: yes"]],
  );
});

describe("npm's legacy login fed on a here-string (npm login --auth-type=legacy <<< …)", () => {
  exactAndKept(
    [
      ["npm login --auth-type=legacy <<< a8F3kQ9zX2mV7pL4tR6w", "npm login --auth-type=legacy <<< [REDACTED:secret]"],
      ['npm adduser <<< "Xk9mQ2pL7vR3aBcDeFgH"', 'npm adduser <<< "[REDACTED:secret]"'],
    ],
    [["a variable, a login without input", 'npm login --auth-type=legacy <<< "$NPM_TOKEN"\nnpm login --scope=@me']],
  );
});

describe("a value set in a SOPS file from the command line (sops --set '[\"key\"] \"…\"' file)", () => {
  exactAndKept(
    [
      [`sops --set '["stripe"] "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"' secrets.yaml`, `sops --set '["stripe"] "[REDACTED:secret]"' secrets.yaml`],
      [`sops --set '["db"]["password"] "Tr0ub4dor&3"' secrets.enc.json`, `sops --set '["db"]["password"] "[REDACTED:secret]"' secrets.enc.json`],
    ],
    [["a number, a decrypt", `sops --set '["replicas"] 3' values.yaml\nsops -d secrets.yaml`]],
  );
});

describe("railway variables' box, a rule under every row: the value beside a secret's name", () => {
  exactAndKept(
    [
      [
        "║ STRIPE_KEY   │ a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH ║\n║──────────────────────────────────────────────║\n║ DB_PASSWORD  │ hunter2pw                      ║\n║──────────────────────────────────────────────║",
        "║ STRIPE_KEY   │ [REDACTED:secret] ║\n║──────────────────────────────────────────────║\n║ DB_PASSWORD  │ [REDACTED:secret]                      ║\n║──────────────────────────────────────────────║",
      ],
    ],
    [["a header over its rule, settings", "║ NAME         │ VALUE      ║\n║────────────────────────────║\n║ NODE_ENV     │ production ║\n║ TOKEN_TTL    │ 3600       ║"]],
  );
});

describe("railway variables' box under its title: a value drawn at random under a name that says nothing", () => {
  exactAndKept(
    [
      [
        "╔══════ Variables for api ══════╗\n║ WEBHOOK  │ Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C ║\n║─────────────────────────────║\n║ NODE_ENV │ production                ║\n╚═════════════════════════════╝",
        "╔══════ Variables for api ══════╗\n║ WEBHOOK  │ [REDACTED:secret] ║\n║─────────────────────────────║\n║ NODE_ENV │ production                ║\n╚═════════════════════════════╝",
      ],
    ],
    [["settings, a hash's words, a URL", "╔══════ Variables for api ══════╗\n║ NODE_ENV │ production              ║\n║─────────────────────────────║\n║ PORT     │ 8080                    ║\n║ HOST     │ https://api.example.test ║\n║ NAME     │ UserAuthenticationService2Handler ║\n╚═════════════════════════════╝"]],
  );
});

describe("docker inspect's environment array through jq, one entry a line", () => {
  exactAndKept(
    [['[\n  "NODE_ENV=production",\n  "STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"\n]', '[\n  "NODE_ENV=production",\n  "STRIPE=[REDACTED:secret]"\n]']],
    [["a command's array, a list of words", '"Cmd": [\n  "STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"\n]\n[\n  "build",\n  "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"\n]']],
  );
});

describe("fal.ai keys with no word naming them (<key id, a UUID>:<32 hex>): the secret goes, the id stays", () => {
  const id = "9c7f1a3e-4b2d-4e8f-a1b2-3c4d5e6f7a8b";
  const secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  exactAndKept(
    [
      [`${id}:${secret}`, `${id}:[REDACTED:fal-key]`],
      [`{"key": "${id}:${secret}"}`, `{"key": "${id}:[REDACTED:fal-key]"}`],
      [`export FAL=${id}:${secret}`, `export FAL=${id}:[REDACTED:fal-key]`],
      [`the client uses ${id}:${secret} here`, `the client uses ${id}:[REDACTED:fal-key] here`],
    ],
    [
      [
        "a UUID and a time, a port, a hash after a name, an id and a shorter hash",
        `job ${id}:12:00:01\nhttp://${id}:8080/x\nsha:${secret}\n${id}:0f1e2d3c4b5a6978\n${id}:${secret}ab`,
      ],
    ],
  );
});

describe("a value set in a SOPS file from the command line in outer double quotes (sops --set \"[\\\"key\\\"] \\\"…\\\"\" file)", () => {
  exactAndKept(
    [
      ['sops --set "[\\"stripe\\"] \\"a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH\\"" secrets.yaml', 'sops --set "[\\"stripe\\"] \\"[REDACTED:secret]\\"" secrets.yaml'],
      ['sops --set="[\\"db\\"][\\"password\\"] \\"Tr0ub4dor&3\\"" secrets.enc.json', 'sops --set="[\\"db\\"][\\"password\\"] \\"[REDACTED:secret]\\"" secrets.enc.json'],
    ],
    [["a number, a boolean", 'sops --set "[\\"replicas\\"] 3" values.yaml\nsops --set "[\\"enabled\\"] true" values.yaml']],
  );
});

describe("a short value under a secret's name in a dump of secrets pasted with its command (sops -d, heroku config)", () => {
  exactAndKept(
    [
      ["$ sops -d secrets.enc.yaml\nregion: eu-west-1\nstripe_key: Xk9mQ2pL\n", "$ sops -d secrets.enc.yaml\nregion: eu-west-1\nstripe_key: [REDACTED:secret]\n"],
      ["$ heroku config\n=== myapp Config Vars\nSTRIPE_KEY:  Xk9mQ2pL\nNODE_ENV:    production", "$ heroku config\n=== myapp Config Vars\nSTRIPE_KEY:  [REDACTED:secret]\nNODE_ENV:    production"],
    ],
    [
      ["a path, a host, a version, a duration, a word under a key's name; a short value outside a dump", "$ heroku config\n=== myapp Config Vars\nS3_KEY: uploads/a1.txt\nCACHE_KEY: users\nSIGNING_KEY_TTL: 3600s\nREDIS_KEY: db1.internal\nSORT_KEY: v2\n$ echo done\nstripe_key: Xk9mQ2pL"],
    ],
  );
});

describe("a docker environment array in the middle of a line: a value drawn at random under any name", () => {
  exactAndKept(
    [
      ['docker run app with env ["A=1","STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"] and more', 'docker run app with env ["A=1","STRIPE=[REDACTED:secret]"] and more'],
      ['config.Env = ["NODE_ENV=production", "STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"]', 'config.Env = ["NODE_ENV=production", "STRIPE=[REDACTED:secret]"]'],
    ],
    [["a command's array, one NAME= among words, settings", '"Cmd": ["A=1","STRIPE=a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"]\nargs = ["--x=1", "build", "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"]\nenv ["PATH=/usr/bin","NODE_VERSION=20.11.1"]']],
  );
});

describe("a French password of letters only under MDP in an environment file (MDP=motdepasse)", () => {
  exactAndKept(
    [
      ["MDP=motdepasse", "MDP=[REDACTED:secret]"],
      ["export DB_MDP=soleilbleu\nHOST=db", "export DB_MDP=[REDACTED:secret]\nHOST=db"],
    ],
    [["placeholders, prose, code, a word going on", "MDP=changeme\nMDP: Markov decision process\nmdp = GridWorldMDP(4)\nmdp=solver\nthe MDP=solved here\nPASSWORD=changeme\npassword=password"]],
  );
});

describe("a key with no prefix of its own in a URL's path, after a segment naming a key or a token", () => {
  exactAndKept(
    [
      ["curl https://api.example.test/v1/keys/Xk9mQ2pL7vR3aBcDeFgHjK4mN6pQ8rSt", "curl https://api.example.test/v1/keys/[REDACTED:secret]"],
      ["GET https://api.example.test/v1/token/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d/verify", "GET https://api.example.test/v1/token/[REDACTED:secret]/verify"],
      ["wss://stt.example.test/apikey/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c?model=nova", "wss://stt.example.test/apikey/[REDACTED:secret]?model=nova"],
    ],
    [
      [
        "a key's id (hex, a UUID, a number), a fingerprint, a name, a file",
        "https://api.cloudflare.test/client/v4/user/tokens/ed17574386854bf78a67040be0a770b0\nhttps://x.test/api/v1/keys/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c\nhttps://x.test/token/3f2a9c1e-8b7d-4f5a-9c3b-2a1908f7e6d5/a\nhttps://keys.example.test/key/0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C\nGET /api/token/reset_password_for_user/x\nsrc/token/TokenService2Handler.ts\n/keys/42",
      ],
    ],
  );
});

describe("a value in a record that says it is a secret: Vercel's encrypted variable, an API key's record", () => {
  exactAndKept(
    [
      [
        '{"type": "encrypted", "key": "STRIPE", "value": "Zk9mQ2pL7vR3aBcDeFgHjK4m", "target": ["production"]}',
        '{"type": "encrypted", "key": "STRIPE", "value": "[REDACTED:secret]", "target": ["production"]}',
      ],
      ['{"type":"sensitive","key":"DB","value":"hunter2pw"}', '{"type":"sensitive","key":"DB","value":"[REDACTED:secret]"}'],
      [
        '{"id": "k1", "object": "organization.project.api_key", "name": "ci", "value": "Xk9mQ2pL7vR3aBcDeFgHjK4mN6pQ8rSt"}',
        '{"id": "k1", "object": "organization.project.api_key", "name": "ci", "value": "[REDACTED:secret]"}',
      ],
    ],
    [["a plain variable, a type's name, an empty value", '{"type": "plain", "key": "NODE_ENV", "value": "production"}\n{"type": "string", "value": "Xk9mQ2pL7vR3aBcDeFgHjK4mN6pQ8rSt"}\n{"type": "secret", "value": ""}']],
  );
});

describe("a password told after \"pass is\" with no other label (\"the pass is …\")", () => {
  exactAndKept(
    [
      ["the pass is Xk9mQ2pL7v", "the pass is [REDACTED:password]"],
      ["ok, my wifi pass was hunter2pw", "ok, my wifi pass was [REDACTED:password]"],
      ['The pass is: "Tr0ub4dor&3".', 'The pass is: "[REDACTED:password]".'],
    ],
    [["a test's pass, a ticket, a short word, a sentence, bypass", "the test pass is slow2x today\nthe boarding pass is B737XYZ\nthe pass is 2fast\nthe pass is valid for 30 days\nthe pass was over\nbypass is hunter2pw"]],
  );
});

describe("a user and a password with no password's label before the value: \"credentials: alice …\", \"my login is bob, pass …\"", () => {
  exactAndKept(
    [
      ["credentials: alice Xk9mQ2pL7v", "credentials: alice [REDACTED:password]"],
      ['creds: bob "Tr0ub4dor&3".', 'creds: bob "[REDACTED:password]".'],
      ["my login is bob, pass Xk9mQ2pL7v", "my login is bob, pass [REDACTED:password]"],
    ],
    [["sentences, a placeholder, a word", "credentials: alice has them now\ncreds: see vault ok\ncredentials: admin changeme\nthe user is logged in, pass the token along"]],
  );
});

describe("a key typed as the answer to a question about one (AskUserQuestion's \"Which API key…?\" answered with \"Other\")", () => {
  const answered = (pairs: string) => `User has answered your questions: ${pairs}. You can now continue with the user's answers in mind.`;
  exactAndKept(
    [[answered('"Which API key should I use for Stripe?"="Zk9mQ2pL7vR3aBcDeFgHjK4m"'), answered('"Which API key should I use for Stripe?"="[REDACTED:secret]"')]],
    [["choices", answered('"Which token format?"="JWT", "Which API key should I rotate?"="the-staging-one", "Should I use the API key?"="Yes"')]],
  );
});

describe("a key with no prefix of its own under its provider's name alone: Deepgram's 40 hex, Vercel's 24, Cloudflare's 40", () => {
  exactAndKept(
    [
      ['{"key": "deepgram", "value": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"}', '{"key": "deepgram", "value": "[REDACTED:secret]"}'],
      ["DEEPGRAM=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", "DEEPGRAM=[REDACTED:secret]"],
      ['{"key": "vercel", "value": "Zk9mQ2pL7vR3aBcDeFgHjK4m"}', '{"key": "vercel", "value": "[REDACTED:secret]"}'],
      ['{"key": "cloudflare", "value": "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d"}', '{"key": "cloudflare", "value": "[REDACTED:secret]"}'],
    ],
    [["switches, names, versions, a short hex, a hash under another provider", 'vercel: true\ncloudflare: "workers"\ndeepgram: nova-2\n{"vercel": {"env": "prod"}}\ncloudflare = "1.2.3"\ndeepgram=3f2a9c1e\nhuggingface: 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c']],
  );
});

describe("a passcode of digits, as a PIN is (a door's, a phone's)", () => {
  exactAndKept(
    [
      ["my passcode is 482913", "my passcode is [REDACTED:secret]"],
      ["door passcode: 4821", "door passcode: [REDACTED:secret]"],
    ],
    [["a length, a count of codes", "the passcode length is 6\npasscodes: 1234 issued"]],
  );
});

describe("Cloudflare's API token in its creation's answer, under a field named value alone", () => {
  const created = (value: string, pretty = false) => {
    const result = {
      id: "ed17574386854bf78a67040be0a770b0",
      name: "readonly token",
      status: "active",
      issued_on: "2018-07-01T05:20:39Z",
      modified_on: "2018-07-02T05:20:39Z",
      policies: [{ id: "f267e341f3dd4697bd3b9f71dd96247f", effect: "allow", resources: { "com.cloudflare.api.account.zone.eb78d65290b24279ba6f44721b3ea3c4": "*" }, permission_groups: [{ id: "c8fed203ed3043cba015a93ad1616f1f", name: "Zone Read" }] }],
      condition: {},
      value,
    };
    return JSON.stringify({ result, success: true, errors: [], messages: [] }, null, pretty ? 2 : undefined);
  };
  const reordered = (value: string) =>
    `{"result":{"value":"${value}","id":"ed17574386854bf78a67040be0a770b0","name":"deploy","status":"active","issued_on":"2018-07-01T05:20:39Z","policies":[{"id":"f267e341f3dd4697bd3b9f71dd96247f","effect":"allow"}]},"success":true}`;
  exactAndKept(
    [
      [created("8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T"), created("[REDACTED:cloudflare-api-token]")],
      [created("8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T", true), created("[REDACTED:cloudflare-api-token]", true)],
      // JSON escaped inside a string (a log's line, a tool's result quoted), once and twice.
      [JSON.stringify({ log: created("8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T") }), JSON.stringify({ log: created("[REDACTED:cloudflare-api-token]") })],
      [JSON.stringify(JSON.stringify(created("8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T"))), JSON.stringify(JSON.stringify(created("[REDACTED:cloudflare-api-token]")))],
      // The value first, then the fields that say what it is.
      [reordered("8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T"), reordered("[REDACTED:cloudflare-api-token]")],
      [JSON.stringify(reordered("8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T")), JSON.stringify(reordered("[REDACTED:cloudflare-api-token]"))],
      // Its start far before issued_on (a long name): the fields after it are read.
      [reordered("x").replace('"name":"deploy"', `"name":"${"n".repeat(3000)}"`).replace('"value":"x",', "").replace("]}", '],"value":"8M7wS6hCpXVc-DoRnPPY_UCWPgy8aea4Wy6kCe5T"}'), reordered("x").replace('"name":"deploy"', `"name":"${"n".repeat(3000)}"`).replace('"value":"x",', "").replace("]}", '],"value":"[REDACTED:cloudflare-api-token]"}')],
    ],
    [
      ["the tokens listed, with no value; a setting's value after them", `${created("x").replace(',"value":"x"', "")}\n{"name": "ssl", "value": "full_strict_mode_enabled_for_zone_x"}`],
      ["a value with no policies before it (a DNS record's)", '{"issued_on": "2024-01-01", "type": "TXT", "value": "v-spf1-include-example-com-all-zone"}'],
      ["a value with no policies, before or after, escaped", JSON.stringify('{"value": "v-spf1-include-example-com-all-zone", "issued_on": "2024-01-01", "type": "TXT"}')],
      ["a value in a record beside the token's (its policy's), escaped", JSON.stringify(created("x").replace(',"value":"x"', "").replace('"effect":"allow"', '"effect":"allow","value":"v-spf1-include-example-com-all-zone"'))],
    ],
  );
});

describe("a Bash call's pm2 env <id>: its NAME: value lines read as an environment file's, with no pm2 path in them", () => {
  const { redactOutput } = createRedactor();
  // As a tool's result is redacted: knowing what its command prints, or as any text.
  const asResult = (command: string, output: string) => {
    const prints = commandPrints(command);
    return prints ? redactOutput(output, prints) : redact(output);
  };
  const cases: [command: string, output: string, redacted: string][] = [
    ["pm2 env 0", "JWT_SECRET: my jwt signing phrase\nNODE_ENV: production\n", "JWT_SECRET: [REDACTED:secret]\nNODE_ENV: production\n"],
    ["pm2 env api | grep -v pm_", "STRIPE: Zx8Cv7Bn6Mq5Lp4Ks3Jd2Zx8C\nPORT: 3000\n", "STRIPE: [REDACTED:secret]\nPORT: 3000\n"],
  ];
  for (const [command, output, redacted] of cases) test(command, () => expect(asResult(command, output).text).toBe(redacted));
  const kept = "NODE_ENV: production\nPM2_HOME: /root/.pm2\nunique_id: 2c6b1e8a-3f2a-4c1e-8b7d-6f5a4c3b2a19\nSHA: 3f2a9c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291\nname: my api server\nSECRET_NAME: api/prod\n";
  test("kept: names, paths, hashes, UUIDs and prose under other names", () => expect(asResult("pm2 env 0", kept)).toEqual({ text: kept, count: 0 }));
});

describe("a short key told in prose after its label (12 to 15 characters drawn at random)", () => {
  exactAndKept(
    [
      ["the key is Zx8Cv7Bn6Mq5Lp", "the key is [REDACTED:secret]"],
      ["OK, my API key is qW3eR5tY7uI9oP.", "OK, my API key is [REDACTED:secret]."],
      ["the token is Hn4Jm2Kx9Lp3Qz", "the token is [REDACTED:secret]"],
    ],
    [
      [
        "names, words, algorithms and keys of one case",
        "the key is useEffect\nthe key is Base64Encoded\nthe key is SHA256WithRSA\nthe key is X509Certificate\nthe key is A1B2C3D4E5F6G7\nthe token is expired2024\nthe key is UserProfile2",
      ],
    ],
  );
});

describe("a Wi-Fi password of digits alone told in prose, as routers ship them", () => {
  exactAndKept(
    [
      ["the wifi password is 48213957", "the wifi password is [REDACTED:password]"],
      ["The Wi-Fi password is 4821395702.", "The Wi-Fi password is [REDACTED:password]."],
    ],
    [
      ["a length, a count, digits after a password's label alone", "the wifi password is 8 characters long\nthe wifi password is 63 digits at most\nthe password is 48213957"],
    ],
  );
});

describe("a Wi-Fi passphrase of three words told in prose, dashed or spaced, as routers and people make them", () => {
  exactAndKept(
    [
      ["the wifi password is correct-horse-battery", "the wifi password is [REDACTED:password]"],
      ["The Wi-Fi password is correct horse battery.", "The Wi-Fi password is [REDACTED:password]."],
      ["WiFi password: correct horse battery\nthanks", "WiFi password: [REDACTED:password]\nthanks"],
      // The network named after the label, or its SSID on the line above.
      ["the password for the wifi is correct-horse-battery", "the password for the wifi is [REDACTED:password]"],
      ["SSID: HomeNet\nPassword: correct horse battery\n", "SSID: HomeNet\nPassword: [REDACTED:password]\n"],
      ["the password for the guest wifi is 48213957", "the password for the guest wifi is [REDACTED:password]"],
    ],
    [
      [
        "a sentence going on, words of a sentence, compounds with short words, two words",
        "the wifi password is stored somewhere else\nthe wifi password is printed under the router\nthe wifi password is pretty simple really\nthe wifi password is state-of-the-art\nthe wifi password is up-to-date\nthe wifi password is case-sensitive\nWi-Fi password: same as before\nthe wifi password is guest network only",
      ],
      ["three spaced words after a password's label alone", "the password is correct horse battery"],
      ["an SSID above words of a sentence", "SSID: HomeNet\nPassword: same as before\nssid=\"Home\"\nthe password is up-to-date\n"],
      ["a network's name further up, another's password", "SSID: HomeNet\n\nSee the notes.\nthe password for the admin page is correct horse battery\n"],
    ],
  );
});

describe("a passphrase of three words joined by hyphens after a password's label, Wi-Fi or not (the password is correct-horse-battery)", () => {
  exactAndKept(
    [
      ["the password is correct-horse-battery", "the password is [REDACTED:password]"],
      ["the password is correct-horse-battery, use it for now", "the password is [REDACTED:password], use it for now"],
      ["set the admin password to mosaic-saddle-velvet.", "set the admin password to [REDACTED:password]."],
      ["the password for the admin page is correct-horse-battery-staple", "the password for the admin page is [REDACTED:password]"],
    ],
    [
      [
        "a word, a sentence going on, compounds of participles, of sentence words, of short words",
        "the password is correct\nthe password is required\nthe password is hashed with bcrypt\nthe password is server-side-encrypted\nthe password is never-shown-anywhere\nthe password is state-of-the-art\nthe password is case-sensitive\npassword is auto-generated\nthe password is user-supplied-value",
      ],
    ],
  );
});

describe("a Wi-Fi network's key told in prose: wifi key, WPA key, network (security) key, WLAN-Schlüssel, Netzwerkschlüssel", () => {
  exactAndKept(
    [
      ["wifi key is tinkerbell42", "wifi key is [REDACTED:password]"],
      ["the wifi key: tinkerbell42", "the wifi key: [REDACTED:password]"],
      ["WLAN-Schlüssel: tinkerbell42", "WLAN-Schlüssel: [REDACTED:password]"],
      ["Der WLAN-Schlüssel ist tinkerbell42.", "Der WLAN-Schlüssel ist [REDACTED:password]."],
      ["Netzwerkschlüssel: 48213957", "Netzwerkschlüssel: [REDACTED:password]"],
      ["the WPA2 key is correct-horse-battery", "the WPA2 key is [REDACTED:password]"],
      ["Network security key: tinkerbell42", "Network security key: [REDACTED:password]"],
      ["the wifi key is 48213957", "the wifi key is [REDACTED:password]"],
    ],
    [
      [
        "words of a sentence, a setting, a file",
        "the wifi key is the same as before\nWi-Fi key: see the sticker under the router\nwifi key rotation is scheduled\nthe WPA key is stored in wpa_supplicant.conf\nthe network key is generated on first boot\nwireless key management (WPA-PSK)\nder WLAN-Schlüssel ist auf der Rückseite",
      ],
    ],
  );
});

describe("a Wi-Fi network's key told in French: clé wifi, clé WPA, clé de sécurité réseau", () => {
  exactAndKept(
    [
      ["la clé wifi est tinkerbell42", "la clé wifi est [REDACTED:password]"],
      ["Clé WPA2 : tinkerbell42", "Clé WPA2 : [REDACTED:password]"],
      ["la clé du Wi-Fi est tinkerbell42", "la clé du Wi-Fi est [REDACTED:password]"],
      ["clé de sécurité réseau : tinkerbell42", "clé de sécurité réseau : [REDACTED:password]"],
    ],
    [["words of a sentence after it", "la clé wifi est collée sous la box\nla clé wifi est dans le tiroir\nclé WPA : voir l'étiquette\nla clé wifi a changé hier"]],
  );
});

describe("one backup code told inline in prose, the rest of the sentence after it (use backup code 8372-1946 if …)", () => {
  exactAndKept(
    [
      ["use backup code 8372-1946 if the app is gone", "use backup code [REDACTED:recovery-code] if the app is gone"],
      ["my recovery code is 8f3k2-9dj4x, keep it", "my recovery code is [REDACTED:recovery-code], keep it"],
    ],
    [["a path, a version, a date, a word after the label", "the backup code path is /var/backups\nrecovery code v2 format\nbackup code 2024-06-01 release\nemergency code red-alpha today"]],
  );
});

describe("a token pasted below its command past the CLI's warning (heroku auth:token's \" ›   Warning: token will expire …\")", () => {
  const warned = "$ heroku auth:token\n ›   Warning: token will expire 12/31/2026\n ›   Use heroku authorizations:create to generate a long-term token\n";
  exactAndKept(
    [[`${warned}3f9a7c2e-8b1d-4e6f-a5c4-2d7e9b1f3a6c\n`, `${warned}[REDACTED:secret]\n`]],
    [["the user's words after the CLI's error", "$ heroku auth:token\n ›   Error: not logged in\nthanks-for-nothing\n"]],
  );
});

describe("a TOTP seed in groups of four after a TOTP's, a 2FA's or an MFA's secret or seed (\"TOTP secret: K7MZ P4VL …\")", () => {
  exactAndKept(
    [
      ["TOTP secret: K7MZ P4VL 3WQ2 RT5Y", "TOTP secret: [REDACTED:totp-secret]"],
      ["2FA secret: jbsw y3dp ehpk 3pxp\n", "2FA secret: [REDACTED:totp-secret]\n"],
      ["the MFA seed is K7MZ P4VL 3WQ2 RT5Y.", "the MFA seed is [REDACTED:totp-secret]."],
    ],
    [["words after the label", "the TOTP secret: then open your authenticator app and scan\nthe totp secret is stored encrypted"]],
  );
});

describe("a passphrase of three spaced words after a passphrase's label (the passphrase for id_ed25519 is purple monkey dishwasher)", () => {
  exactAndKept(
    [
      ["the passphrase for id_ed25519 is purple monkey dishwasher", "the passphrase for id_ed25519 is [REDACTED:password]"],
      ["Passphrase: purple monkey dishwasher\n", "Passphrase: [REDACTED:password]\n"],
    ],
    [
      [
        "a sentence going on after it",
        "the passphrase is never stored anywhere\nthe passphrase is required for signing\nthe passphrase is prompted every time\nPassphrase: same as before\nPassphrase: stored in vault\nthe passphrase is cached by gpg-agent",
      ],
      ["three spaced words after a password's label", "the password is purple monkey dishwasher"],
    ],
  );
});

describe("Sysinternals' PsExec (and PAExec) given a password on its command line (-p)", () => {
  exactAndKept(
    [
      ["psexec \\\\server01 -u ACME\\admin -p PsEx3c!Pw cmd", "psexec \\\\server01 -u ACME\\admin -p [REDACTED:password] cmd"],
      ['PsExec64.exe \\\\10.0.0.5 -u admin -p "Ps Ex3c" -s cmd /c whoami', 'PsExec64.exe \\\\10.0.0.5 -u admin -p "[REDACTED:password]" -s cmd /c whoami'],
      ["paexec \\\\srv -u bob -p Pa3xec!x ipconfig", "paexec \\\\srv -u bob -p [REDACTED:password] ipconfig"],
    ],
    [["a variable", "psexec -p $env:ADMIN_PW \\\\srv cmd"]],
  );
});

describe("a password or a key told after who gave or sent it (the password you gave me is …)", () => {
  exactAndKept(
    [
      ["The password you sent me is Hunt3r!x", "The password you sent me is [REDACTED:password]"],
      ["the API key you gave me is Zr4Jx9Lk2Mq7Np3Vb8Wc5Xd1Ye, it fails", "the API key you gave me is [REDACTED:secret], it fails"],
    ],
    [["words of a sentence", "the password you gave me is wrong\nthe password you gave us was expired"]],
  );
});

describe("a password told after \"'s\" or an adverb (the password's …, the password is just …)", () => {
  exactAndKept(
    [
      ["the password's Hunt3r!x", "the password's [REDACTED:password]"],
      ["the password is just Hunt3r!x", "the password is just [REDACTED:password]"],
      ["the db password's actually Hunt3r!x, try it", "the db password's actually [REDACTED:password], try it"],
    ],
    [
      [
        "a possessive, words of a sentence",
        "the password's length is 12\nthe password's hash is stored\nthe password is just required\nthe password's just a placeholder\nthe token's expiry is 3600s\nthe password is actually stored in vault",
      ],
    ],
  );
});

describe("a package manager's or git's setting of a secret's name printed (npm config get //…/:_authToken): its value, a UUID too", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, output: string, redacted: string][] = [
    ["npm config get //registry.npmjs.org/:_authToken", "8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b\n", "[REDACTED:secret]\n"],
    ["pnpm config get //npm.acme.dev/:_authToken", "8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b\n", "[REDACTED:secret]\n"],
    ["git config --global --get user.password", "hunter22x\n", "[REDACTED:secret]\n"],
  ];
  for (const [command, output, redacted] of cases) {
    test(command, () => {
      const prints = commandPrints(command);
      expect(prints).toBeDefined();
      if (prints) expect(redactOutput(output, prints).text).toBe(redacted);
    });
  }
  for (const command of ["npm config get registry", "git config --get credential.helper", "git config user.email"]) {
    test(`kept: ${command}`, () => expect(commandPrints(command)).toBeUndefined());
  }
  exactAndKept([["$ npm config get //registry.npmjs.org/:_authToken\n8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b", "$ npm config get //registry.npmjs.org/:_authToken\n[REDACTED:secret]"]], [["another setting", "$ git config --get credential.helper\nosxkeychain-helper\n"]]);
});

describe("git's setting of a secret's name given on its command line (git config --global github.token …)", () => {
  exactAndKept(
    [
      ["git config user.password hunter22x", "git config user.password [REDACTED:secret]"],
      ["git config --global github.token 8c1f2e3d-4b5a-6978-8a9b-0c1d2e3f4a5b", "git config --global github.token [REDACTED:secret]"],
    ],
    [["a variable, another setting, a read, an unset", 'git config --global github.token "$GH_TOKEN"\ngit config user.name "Bob Smith"\ngit config --get user.password\ngit config --unset user.password']],
  );
});

describe("a German or Dutch password's label joined to a word by a hyphen (das WLAN-Passwort ist …, het wifi-wachtwoord is …)", () => {
  exactAndKept(
    [
      ["das WLAN-Passwort ist tinkerbell42", "das WLAN-Passwort ist [REDACTED:password]"],
      ["Das Admin-Passwort ist Sommer2026!", "Das Admin-Passwort ist [REDACTED:password]"],
      ["Root-Kennwort: Winter2026x", "Root-Kennwort: [REDACTED:secret]"],
      ["het wifi-wachtwoord is tinkerbell42", "het wifi-wachtwoord is [REDACTED:password]"],
    ],
    [["words of a sentence, a flag, a compound it starts", "das WLAN-Passwort ist auf der Rückseite\n--passwort Sommer2026!\ndie Passwort-Richtlinie ist streng"]],
  );
});

describe("a Wi-Fi passphrase with spaces in the configs that read it to its line's end (hostapd, NetworkManager, nmcli, iwd)", () => {
  exactAndKept(
    [
      ["interface=wlan0\nssid=Home\nwpa_passphrase=correct horse battery staple\nwpa=2\n", "interface=wlan0\nssid=Home\nwpa_passphrase=[REDACTED:secret]\nwpa=2\n"],
      ["[wifi-security]\nkey-mgmt=wpa-psk\npsk=correct horse battery staple\n", "[wifi-security]\nkey-mgmt=wpa-psk\npsk=[REDACTED:secret]\n"],
      [
        "802-11-wireless-security.key-mgmt:      wpa-psk\n802-11-wireless-security.psk:           correct horse battery staple\n802-11-wireless-security.psk-flags:     0 (none)\n",
        "802-11-wireless-security.key-mgmt:      wpa-psk\n802-11-wireless-security.psk:           [REDACTED:secret]\n802-11-wireless-security.psk-flags:     0 (none)\n",
      ],
      ["wifi-sec.psk:                           correcthorsebattery\n", "wifi-sec.psk:                           [REDACTED:secret]\n"],
      ["sae_password=correct horse battery staple\n[Security]\nPassphrase=correct horse battery staple\n", "sae_password=[REDACTED:secret]\n[Security]\nPassphrase=[REDACTED:secret]\n"],
      ["     5→wpa_passphrase=correct horse battery staple\n", "     5→wpa_passphrase=[REDACTED:secret]\n"],
    ],
    [
      ["hostapd's sample, commented out", "#wpa_passphrase=secret passphrase\n#sae_password=secret\n"],
      ["nmcli without -s, a field unset, a mode", "802-11-wireless-security.psk:           <hidden>\n802-11-wireless-security.psk-flags:     0 (none)\n802-11-wireless-security.leap-password: --\nwifi-sec.psk:                           --\npsk=WPA2-PSK\n"],
      ["a reference, a placeholder", "wpa_passphrase=${WIFI_PASSPHRASE}\n    wpa_passphrase=<your passphrase here>\n"],
      ["code and types (Node's tls.d.ts)", "    interface PSKCallbackNegotation {\n        psk: NodeJS.ArrayBufferView;\n        identity: string;\n    }\npsk = hashlib.pbkdf2_hmac(\"sha1\", passphrase, ssid, 4096, 32)\n"],
    ],
  );
});

describe("a Wi-Fi key as Windows shows it (netsh wlan show profile … key=clear: Key Content, Schlüsselinhalt, Contenu de la clé)", () => {
  exactAndKept(
    [
      ["    Security key           : Present\n    Key Content            : tinkerbell42\n", "    Security key           : Present\n    Key Content            : [REDACTED:secret]\n"],
      ["    Sicherheitsschlüssel   : Vorhanden\n    Schlüsselinhalt        : correct horse battery\n", "    Sicherheitsschlüssel   : Vorhanden\n    Schlüsselinhalt        : [REDACTED:secret]\n"],
      ["    Contenu de la clé            : tinkerbell42", "    Contenu de la clé            : [REDACTED:secret]"],
    ],
    [["no key shown, prose about the field", "    Security key           : Absent\nthe Key Content field: shown with key=clear\n"]],
  );
});

describe("a Wi-Fi key printed alone by nmcli (-s -g 802-11-wireless-security.psk): its line, whatever its shape", () => {
  const { redactOutput } = createRedactor();
  for (const [command, output] of [
    ["nmcli -s -g 802-11-wireless-security.psk connection show HomeNet", "tinkerbell42\n"],
    ["nmcli --show-secrets --get-values wifi-sec.psk c s HomeNet", "correct horse battery\n"],
  ] as const) {
    test(command, () => {
      const prints = commandPrints(command);
      expect(prints).toBeDefined();
      if (prints) expect(redactOutput(output, prints).text).toBe("[REDACTED:secret]\n");
    });
  }
  for (const command of ["nmcli -g GENERAL.STATE connection show HomeNet", "nmcli -s -g 802-11-wireless-security.psk-flags connection show HomeNet"]) {
    test(`kept: ${command}`, () => expect(commandPrints(command)).toBeUndefined());
  }
  exactAndKept([["$ nmcli -s -g 802-11-wireless-security.psk connection show HomeNet\ntinkerbell42\n", "$ nmcli -s -g 802-11-wireless-security.psk connection show HomeNet\n[REDACTED:secret]\n"]], []);
});

describe("a Wi-Fi password given to nmcli on its command line (device wifi connect … password, connection modify … wifi-sec.psk)", () => {
  exactAndKept(
    [
      ['nmcli dev wifi connect Home password "correct horse battery"', 'nmcli dev wifi connect Home password "[REDACTED:password]"'],
      ['sudo nmcli device wifi connect "My Home" password correcthorse ifname wlan0', 'sudo nmcli device wifi connect "My Home" password [REDACTED:password] ifname wlan0'],
      ["nmcli connection add type wifi ssid Home wifi-sec.key-mgmt wpa-psk wifi-sec.psk correcthorse", "nmcli connection add type wifi ssid Home wifi-sec.key-mgmt wpa-psk wifi-sec.psk [REDACTED:password]"],
      ["nmcli con modify Home 802-11-wireless-security.psk 'correct horse'", "nmcli con modify Home 802-11-wireless-security.psk '[REDACTED:password]'"],
    ],
    [["asked for, a variable, its flags", "nmcli dev wifi connect Home --ask\nnmcli dev wifi connect Home password $WIFI_PASS\nnmcli con modify Home wifi-sec.psk-flags 0\n"]],
  );
});

describe("a password asked for, then answered (the wifi password? it's tinkerbell42)", () => {
  exactAndKept(
    [
      ["the wifi password? it's tinkerbell42", "the wifi password? it's [REDACTED:password]"],
      ["what's the wifi password? tinkerbell42.", "what's the wifi password? [REDACTED:password]."],
      ["what is the password? It is Hunt3r!x", "what is the password? It is [REDACTED:password]"],
    ],
    [["a question going on, a short word, no password's shape", "is there a password? v2 of the API has none\nwhat's the root password? toor99x or something\nwhat's the password? I forgot it\ndo you need the password? yes"]],
  );
});

describe("a passphrase of words, the sentence going on after a comma or a full stop (my passphrase is purple monkey dishwasher, why?)", () => {
  exactAndKept(
    [
      ["my passphrase is purple monkey dishwasher, why?", "my passphrase is [REDACTED:password], why?"],
      ["my passphrase is purple monkey dishwasher. Why does ssh ask again?", "my passphrase is [REDACTED:password]. Why does ssh ask again?"],
      ["my password is correct horse battery staple, why?", "my password is [REDACTED:password], why?"],
    ],
    [["a sentence's words before the comma", "the passphrase is generated randomly, during setup\nmy passphrase is pretty long, actually\nthe passphrase is something else entirely, why?\nmy password is purple monkey dishwasher, why?"]],
  );
});

describe("a password told after where it is written (the wifi password is on the sticker: tinkerbell42)", () => {
  exactAndKept(
    [
      ["the wifi password is on the sticker: tinkerbell42", "the wifi password is on the sticker: [REDACTED:password]"],
      ["the wifi password is written under the router: tinkerbell42", "the wifi password is written under the router: [REDACTED:password]"],
      ["the password is in the email: Hunt3r!x", "the password is in the email: [REDACTED:password]"],
    ],
    [["where it is kept, no value after", "the password is in the vault: see docs\nThe password is in the config file: config/secrets.yml\nthe password is in the format: user:pass\nthe password is on the sticker\nthe password is in the env as DB_PASS: process.env.DB_PASS"]],
  );
});

describe("a password told in brackets after its label (the password you gave me (Hunt3r!x) doesn't work)", () => {
  exactAndKept(
    [
      ["The password you gave me (Hunt3r!x) doesn't work", "The password you gave me ([REDACTED:password]) doesn't work"],
      ["the password for the db (Hunt3r!x) expired", "the password for the db ([REDACTED:password]) expired"],
      ["the password (Admin123).", "the password ([REDACTED:password])."],
      // Before a verb the bracket is first read as whose the password is; the word after the verb is then no value.
      ["the password (Tr0ub4dor&3) is rejected", "the password ([REDACTED:password]) is rejected"],
      ["Passwort (Hunt3r!x) ist falsch", "Passwort ([REDACTED:password]) ist falsch"],
      ["the password (prod) is hunter22x", "the password (prod) is [REDACTED:password]"],
    ],
    [
      ["a note in brackets", "Password (v2)\nPassword (optional)\nset a password (min 8 chars)\nPassword (SHA-256)\nthe password for the staging box (see below)\nthe password you need (the one from 1Password) is"],
      ["whose it is in brackets before a verb", "Password (v2) is required\nthe password (prod) is rejected\nthe db password (OAuth2) is rejected\nthe API key (sk_live) is rejected\nthe password (see docs) is required"],
    ],
  );
});

describe("a word and a number in brackets right after a password's label (the password (Summer2024) is rejected): the label decides, not the shape alone", () => {
  exactAndKept(
    [
      ["the password (Summer2024) is rejected", "the password ([REDACTED:password]) is rejected"],
      ["my password (summer2024) doesn't work", "my password ([REDACTED:password]) doesn't work"],
      ["the db password (Autumn77!) was rejected", "the db password ([REDACTED:password]) was rejected"],
      ["passwd: (hunter22) fails", "passwd: ([REDACTED:password]) fails"],
      ["Passwort (Sommer2024) ist falsch", "Passwort ([REDACTED:password]) ist falsch"],
    ],
    [
      ["names and versions after a password's label", "Password (OAuth2) is required\nthe password (v2) is rejected\nthe password (Python3) is rejected\npassword (Win32) API\npassword (AMD64) build\npassword (bcrypt12) hashing\nthe password (HS256) is signed"],
      ["a word and a number after a key's or a token's label", "the token (Summer2024) expired\nthe API key (Region2024) is rejected\nsecret (Spring2024) release"],
    ],
  );
});

describe("a password told in words after an account every install has (try logging in as root with toor99x)", () => {
  exactAndKept(
    [
      ["try logging in as root with toor99x", "try logging in as root with [REDACTED:password]"],
      ["log in as admin with hunter22x", "log in as admin with [REDACTED:password]"],
      ["ssh into the box as root with toor99x", "ssh into the box as root with [REDACTED:password]"],
    ],
    [["a tool, a name made of words, another user", "log in as root with python3\nsign in as admin with OAuth2\nlogin as root with id_rsa2\nlog in as root with password123\nlog in as bob with hunter22x\nlog in as root with sudo and then run"]],
  );
});

describe("backup codes listed after whose they are (Your recovery codes for GitHub:)", () => {
  exactAndKept(
    [
      ["Your recovery codes for GitHub:\n8f3k2-9dj4x\n4hq7p-2mz8w", "Your recovery codes for GitHub:\n[REDACTED:recovery-code]\n[REDACTED:recovery-code]"],
      ["Backup codes for alice@example.com: 7281 9934, 1029 3847", "Backup codes for alice@example.com: [REDACTED:recovery-code], [REDACTED:recovery-code]"],
    ],
    [["other words before the colon, no codes after", "recovery code status: 404 page\nbackup codes for the new account are shown once\nsee backup codes: docs/2fa.md"]],
  );
});

describe("a secret piped or fed on a here-string into podman's secret create or Google's Secret Manager (gcloud secrets create … --data-file=- <<< …)", () => {
  exactAndKept(
    [
      ["printf 'Ps9kQ2pLxz' | podman secret create db_pw -", "printf '[REDACTED:secret]' | podman secret create db_pw -"],
      ['gcloud secrets create db-pw --data-file=- <<< "Gc9!kQ2pLx"', 'gcloud secrets create db-pw --data-file=- <<< "[REDACTED:secret]"'],
      ["gcloud secrets versions add db-pw --data-file=- <<< Gv9kQ2pLxz", "gcloud secrets versions add db-pw --data-file=- <<< [REDACTED:secret]"],
      ["podman secret create api - <<< 'Pd9kQ2pLxz'", "podman secret create api - <<< '[REDACTED:secret]'"],
    ],
    [["a variable's name fed, and a listing", 'echo "$DB_PASSWORD" | podman secret create db_pw -\ngcloud secrets create db-pw --data-file=- <<< "$PW"\npodman secret ls <<< "hello"']],
  );
});

describe("a password's hash in a table under the column MySQL keeps it in (mysql.user's authentication_string)", () => {
  exactAndKept(
    [
      [
        "| user | host      | authentication_string                     |\n+------+-----------+-------------------------------------------+\n| root | localhost | *6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9 |",
        "| user | host      | authentication_string                     |\n+------+-----------+-------------------------------------------+\n| root | localhost | *[REDACTED:secret] |",
      ],
    ],
    [["no hash in the column: an account with none, a plugin's", "| plugin                | authentication_string |\n|-----------------------|-----------------------|\n| caching_sha2_password |                       |\n| auth_socket           | NULL                  |"]],
  );
});

describe("a secret variable printed by PowerShell, cmd or a one-liner, or a secret's field read out of a file by jq or yq", () => {
  const key = "Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU";
  const printed: [command: string, output: string][] = [
    ["$env:DB_PASSWORD", "Hunter22x!"],
    ["echo $env:STRIPE_SECRET_KEY", key],
    ["echo %DB_PASSWORD%", "Hunter22x!"],
    ["[System.Environment]::GetEnvironmentVariable('DB_PASSWORD')", "Ge9kQ2pLxz"],
    ["Get-Secret -Name DbPassword -AsPlainText", "Gs9kQ2pLxz"],
    [`python3 -c "import os; print(os.environ['OPENAI_API_KEY'])"`, key],
    ["node -e 'console.log(process.env.STRIPE_SECRET)'", key],
    ["node -p process.env.API_TOKEN", key],
    [`ruby -e 'puts ENV["DB_PASSWORD"]'`, "Rb9kQ2pLxz"],
    ["jq -r .token ~/.config/app/auth.json", key],
    ["yq '.auth.password' values.yaml", "Yq9kQ2pLxz"],
  ];
  for (const [command, output] of printed) {
    test(`pasted: ${command}`, () => expect(redact(`PS C:\\app> ${command}\n${output}\n`).text).toBe(`PS C:\\app> ${command}\n[REDACTED:secret]\n`));
    test(`a Bash call's result: ${command}`, () => expect(commandPrints(command)).toBe("any"));
  }
  exactAndKept(
    [],
    [
      ["PowerShell's other variables, an assignment", "PS C:\\> $env:PATH\nC:\\Windows\\system32;C:\\Windows\n$k = $env:API_KEY\nWrite-Host done\n[Environment]::GetEnvironmentVariable('HOME')\nC:\\Users\\bob"],
      ["cmd's other variables", "C:\\> echo %PATH%\nC:\\Windows\\system32;C:\\Windows\n"],
      ["a one-liner printing no secret, or printing nothing", `$ python -c "import os; print(os.environ['HOME'])"\n/home/bobby\n$ python -c "import os; os.environ['API_KEY']"\nTraceback (most recent call last)\n$ node -e 'console.log(process.env.NODE_ENV)'\nproduction`],
      ["jq reading other fields", "$ jq -r .name package.json\nclaude-code-sync\n$ jq -r '.items[] | .id' out.json\nabcdef123456\n"],
    ],
  );
});

describe("a short password printed by what prints a stored secret (echo $DB_PASSWORD printing hunter2)", () => {
  const { redactOutput } = createRedactor();
  exactAndKept(
    [
      ["$ echo $DB_PASSWORD\nhunter2\n", "$ echo $DB_PASSWORD\n[REDACTED:secret]\n"],
      ["$ op read op://dev/db/password\nPa55w0\n$ ls", "$ op read op://dev/db/password\n[REDACTED:secret]\n$ ls"],
    ],
    [["a short word of a message's shape", "$ echo $DB_PASSWORD\nnull\n$ printenv API_TOKEN\nnone\n$ cat ~/.config/app/token\ntrue\n"]],
  );
  test("as a Bash call's result", () => {
    expect(redactOutput("hunter2\n", commandPrints("echo $DB_PASSWORD") as "any").text).toBe("[REDACTED:secret]\n");
    expect(redactOutput("null\n", commandPrints("echo $DB_PASSWORD") as "any").text).toBe("null\n");
  });
});

describe("a secret flag's value as the next element of a tool input's list (\"args\": [\"--password\", \"…\"])", () => {
  const { redactValue } = createRedactor();
  test("the value goes, read beside its flag", () => {
    expect(redactValue({ args: ["--password", "Ar9kQ2pLxz", "--host", "db"] })).toEqual({ value: { args: ["--password", "[REDACTED:password]", "--host", "db"] }, count: 1 });
    expect(redactValue({ command: "npx", args: ["-y", "some-mcp", "--api-key", "Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU"] }).value).toEqual({
      command: "npx",
      args: ["-y", "some-mcp", "--api-key", "[REDACTED:secret]"],
    });
  });
  test("kept: other flags' values, a variable's name, a file", () => {
    const value = { args: ["-p", "5432", "--password", "$DB_PASSWORD", "--password-file", "/run/secrets/pw", "--name", "Ab9kQ2pLxz"] };
    expect(redactValue(value)).toEqual({ value, count: 0 });
  });
});

describe("a password told in guillemets (French, Russian) or German quotes („…“)", () => {
  exactAndKept(
    [
      ["le mot de passe est « Qz7!mK2pLx »", "le mot de passe est « [REDACTED:password] »"],
      ["le mot de passe est \u00ab\u202fQz7!mK2pLx\u202f\u00bb.", "le mot de passe est \u00ab\u202f[REDACTED:password]\u202f\u00bb."],
      ["мой пароль — «Qz7!mK2pLx»", "мой пароль — «[REDACTED:password]»"],
      ["das Passwort ist „Qz7!mK2pLx“", "das Passwort ist „[REDACTED:password]“"],
    ],
    [["words in guillemets after a password's label", "le mot de passe est « trop court »\nle mot de passe est « obligatoire »\nпароль — «см. документацию»"]],
  );
});

describe("redis-cli's password in REDISCLI_AUTH, whatever its shape", () => {
  exactAndKept(
    [
      ["REDISCLI_AUTH=Ab9kQ2pLxz redis-cli -h cache", "REDISCLI_AUTH=[REDACTED:secret] redis-cli -h cache"],
      ["export REDISCLI_AUTH='hunter22'", "export REDISCLI_AUTH='[REDACTED:secret]'"],
    ],
    [["a variable's name, another auth setting", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli\nexport AUTH=basic\nAUTH_MODE=oauth2']],
  );
});

describe("a security question's answer told in prose (security answer: fluffy2009), as a password", () => {
  exactAndKept(
    [
      ["security answer: fluffy2009", "security answer: [REDACTED:password]"],
      ["my security answer is Fluffy2009!", "my security answer is [REDACTED:password]"],
      ["security answer (pet): fluffy2009", "security answer (pet): [REDACTED:password]"],
    ],
    [["words about the answer", "the security answer is case-sensitive\nSecurity answer: required\nsecurity answers are hashed"]],
  );
});

describe("a store's entry or code pasted after root's, PowerShell's or oh-my-zsh's prompt (root@box:/# , PS C:\\app> , ➜  app git:(main) ✗ )", () => {
  exactAndKept(
    [
      ["➜  app git:(main) ✗ pass show work/db\nP@ss w0rd!\n", "➜  app git:(main) ✗ pass show work/db\n[REDACTED:secret]\n"],
      ["➜  ~ pass otp github\n493021\n", "➜  ~ pass otp github\n[REDACTED:secret]\n"],
      ["PS C:\\Users\\bob> pass show work/db\nP@ss w0rd!\n", "PS C:\\Users\\bob> pass show work/db\n[REDACTED:secret]\n"],
      ["root@box:/# pass show work/db\nP@ss w0rd!\n", "root@box:/# pass show work/db\n[REDACTED:secret]\n"],
      ["[root@host ~]# gopass work/db\nP@ss w0rd!\n", "[root@host ~]# gopass work/db\n[REDACTED:secret]\n"],
    ],
    [["a comment, an arrow in prose, words before >", "# pass show work/db\nthe next line of the script\nssh bob@host # pass show work/db\nthe next line here\nuse a ➜ pass show x\nthe next line here\nPS is a process tool> pass show x\nnext line\n"]],
  );
});

describe("MySQL's password hash in a row printed vertically (\\G) or as a JSON field (authentication_string: *6BB4…)", () => {
  const { redactValue } = createRedactor();
  exactAndKept(
    [
      [
        "*************************** 1. row ***************************\n                 user: root\nauthentication_string: *6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9\n",
        "*************************** 1. row ***************************\n                 user: root\nauthentication_string: [REDACTED:secret]\n",
      ],
    ],
    [["the column named in prose and SQL", "authentication_string: stores the hash of the password\nSELECT user, authentication_string FROM mysql.user;\n`authentication_string` is empty for auth_socket\nauthentication_string: \n"]],
  );
  test("as a JSON field", () => expect(redactValue({ user: "root", authentication_string: "*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9" }).value).toEqual({ user: "root", authentication_string: "[REDACTED:secret]" }));
});

describe("a secret typed at a command-line tool's prompt, its answered line shown (? What's the value of DB_PASSWORD? …)", () => {
  exactAndKept(
    [
      ["$ vercel env add DB_PASSWORD production\n? What's the value of DB_PASSWORD? Vp9kQ2pLxz\n", "$ vercel env add DB_PASSWORD production\n? What's the value of DB_PASSWORD? [REDACTED:secret]\n"],
      ["? Enter the value for STRIPE_SECRET_KEY › Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU", "? Enter the value for STRIPE_SECRET_KEY › [REDACTED:secret]"],
      ["? Database password: Hunter22x!", "? Database password: [REDACTED:secret]"],
    ],
    [
      [
        "choices, names, masked answers, another variable's value",
        "? What's the value of DB_PASSWORD? ********\n? Do you want to overwrite the existing secret? Yes\n? Which environments should DB_PASSWORD be added to? Production\n? Enter the secret's name: DB_PASSWORD\n? Set the token TTL: 3600s\n? What's the value of APP_NAME? shop2024",
      ],
      ["a ternary's branches on their own lines, code", "const a = ok\n  ? cfg.password.trim() : backup12\nv = x\n  ? tokens[i] : spare2024\n"],
    ],
  );
});

describe("a one-time code on a command line (npm publish --otp=…, --token-code) or told after its label (my 2FA code is …)", () => {
  exactAndKept(
    [
      ["npm publish --otp=482913", "npm publish --otp=[REDACTED:secret]"],
      ["pnpm publish --otp 482913", "pnpm publish --otp [REDACTED:secret]"],
      ["aws sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/bob --token-code 492039", "aws sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/bob --token-code [REDACTED:secret]"],
      ["my 2FA code is 492039", "my 2FA code is [REDACTED:secret]"],
      ["MFA code: 492039", "MFA code: [REDACTED:secret]"],
      ["the TOTP code 492039 does not work", "the TOTP code [REDACTED:secret] does not work"],
      ["OTP: 492039", "OTP: [REDACTED:secret]"],
      ["Your verification code is 492039.", "Your verification code is [REDACTED:secret]."],
    ],
    [["numbers that are no code, a stand-in, another label", "verification code 200 OK\nthe OTP code length is 6\n2FA code 000000\nmyotp: 123456\nerror code: 12345678\nthe one-time code expires in 300000 ms\nnpm publish --otp=$NPM_OTP"]],
  );
});

describe("a secret variable printed by launchctl getenv or dotenv(x) get, and a password printed by Python's keyring get", () => {
  exactAndKept(
    [
      ["$ launchctl getenv API_TOKEN\nLg9kQ2pLxzAb\n", "$ launchctl getenv API_TOKEN\n[REDACTED:secret]\n"],
      ["$ dotenvx get STRIPE_SECRET_KEY\nDg9kQ2pLxzAb\n", "$ dotenvx get STRIPE_SECRET_KEY\n[REDACTED:secret]\n"],
      ["$ keyring get myapp bob\nKg9kQ2pLxz\n", "$ keyring get myapp bob\n[REDACTED:secret]\n"],
    ],
    [["another variable printed", "$ launchctl getenv PATH\n/usr/bin:/bin\n$ dotenv get APP_NAME\nshop2024app\n"]],
  );
  for (const command of ["launchctl getenv API_TOKEN", "dotenv get DB_PASSWORD"]) test(`a Bash call's result: ${command}`, () => expect(commandPrints(command)).toBe("any"));
  // A password manager's value read: its first line, whatever its shape (the "password manager's one value read" cases).
  test("a Bash call's result: keyring get myapp bob", () => expect(commandPrints("keyring get myapp bob")).toBe("first-line"));
});

describe("a key told with a Chinese or Japanese copula after \"key\" alone (我的 OpenAI key 是 …)", () => {
  exactAndKept(
    [["我的 OpenAI key 是 Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU", "我的 OpenAI key 是 [REDACTED:secret]"]],
    [["a name or a word after it, key inside a word", "这个 key 是 user_id\nkey は primary です\nmonkey 是 Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU"]],
  );
});

describe("a file of secrets shown by another viewer than cat (less, more, type, Get-Content), and an environment file pasted below its command", () => {
  const key = "Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU";
  exactAndKept(
    [
      ["$ less ~/.config/app/token\nTk9kQ2pLxzAbCdEf\n", "$ less ~/.config/app/token\n[REDACTED:secret]\n"],
      ["C:\\> more token.txt\nTk9kQ2pLxzAbCdEf\n", "C:\\> more token.txt\n[REDACTED:secret]\n"],
      [`PS> type .\\secrets\\api_key.txt\n${key}\n`, "PS> type .\\secrets\\api_key.txt\n[REDACTED:secret]\n"],
      [`$ cat .env\nSTRIPE=${key}\n$ ls`, "$ cat .env\nSTRIPE=[REDACTED:secret]\n$ ls"],
      [`PS> Get-Content .env\nDB_PASSWORD=Gc9kQ2pLxz\nSTRIPE=${key}\n`, "PS> Get-Content .env\nDB_PASSWORD=[REDACTED:secret]\nSTRIPE=[REDACTED:secret]\n"],
    ],
    [["words, not files; a file of no secret", "I need more tokens\nab12cd34\nplease type token\nab12cd34\n$ cat README.md\nSTRIPE=see the docs\n$ less notes.txt\nXk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU is the commit\n"]],
  );
  test("as a Bash call's command", () => {
    expect(commandPrints("less ~/.config/app/token")).toBe("any");
    expect(commandPrints("Get-Content .env")).toBe("env");
    expect(commandPrints("type .env.production")).toBe("env");
  });
});

describe("a config file of secrets shown whole (cat config/secrets.yml): its values read as an environment file's, its first line no password", () => {
  const { redactOutput } = createRedactor();
  const key = "Xk9mQ2pL7vR3zT8wN1bY4cH6dJ0fG5sU";
  const yaml = `production:\n  secret_key_base: ${key}${key}\n  stripe: ${key}\n  region: eu-west-1\n`;
  const masked = "production:\n  secret_key_base: [REDACTED:secret]\n  stripe: [REDACTED:secret]\n  region: eu-west-1\n";
  exactAndKept([[`$ cat config/secrets.yml\n${yaml}`, `$ cat config/secrets.yml\n${masked}`]], [["a file named for one secret's topic", "$ cat .github/workflows/secret-scanning.yml\nname: scan\non: push\n"]]);
  test("as a Bash call's and a Read call's result", () => {
    expect(commandPrints("cat config/secrets.yml")).toBe("env");
    expect(filePrints("config/secrets.yml")).toBe("env");
    expect(filePrints("secrets.production.json")).toBe("env");
    expect(filePrints(".github/workflows/secret-scanning.yml")).toBeUndefined();
    expect(redactOutput(yaml, "env").text).toBe(masked);
  });
});

describe("the password rclone obscures (rclone obscure x), fed to it, and what it prints (rclone reveal undoes it)", () => {
  const { redactOutput } = createRedactor();
  exactAndKept(
    [
      ["rclone obscure 'Hx9!kQ2pLz'", "rclone obscure '[REDACTED:password]'"],
      ["$ rclone obscure 'Hx9kQ2pLzW'\nqH1c3mV5xYwZaBcDeFgHiJkLmNoPq\n", "$ rclone obscure '[REDACTED:password]'\n[REDACTED:secret]\n"],
      ["echo Hx9kQ2pLz | rclone obscure -", "echo [REDACTED:secret] | rclone obscure -"],
      ["rclone config create x s3 secret_access_key=Zz8kq1wmXk9pQ2vL", "rclone config create x s3 secret_access_key=[REDACTED:secret]"],
      ["rclone config password remote pass Hx9kQ2pLz", "rclone config password remote pass [REDACTED:secret]"],
      ["$ rclone reveal 'qH1c3mV5xYwZaBcDeFgHiJkLmNoPq'\nHx9kQ2pLzW\n", "$ rclone reveal '[REDACTED:secret]'\n[REDACTED:secret]\n"],
    ],
    [["its name in prose and its help", "use rclone obscure to hide passwords in rclone.conf\nrclone obscure --help\nrclone obscure -\nuse rclone reveal to see it\nrclone reveal --help"]],
  );
  test("as a Bash call's result", () => {
    expect(commandPrints("rclone obscure 'Hx9!kQ2pLz'")).toBe("any");
    expect(commandPrints("rclone reveal qH1c3mV5xYwZaBcDeFgHiJkLmNoPq")).toBe("any");
    expect(redactOutput("qH1c3mV5xYwZaBcDeFgHiJkLmNoPq\n", "any").text).toBe("[REDACTED:secret]\n");
  });
});

describe("mysql's glued password (-pX) in a JSON list, with no command line: an MCP server's args after a mysql-like command", () => {
  exactAndKept(
    [
      ['{"command": "mysql", "args": ["-u", "root", "-pHx9kQ2pLz"]}', '{"command": "mysql", "args": ["-u", "root", "-p[REDACTED:password]"]}'],
      [
        '{\n  "db": {\n    "command": "/usr/bin/mysqldump",\n    "args": [\n      "-u",\n      "root",\n      "-pHx9k\\"Q2pLz",\n      "shop"\n    ]\n  }\n}',
        '{\n  "db": {\n    "command": "/usr/bin/mysqldump",\n    "args": [\n      "-u",\n      "root",\n      "-p[REDACTED:password]",\n      "shop"\n    ]\n  }\n}',
      ],
      ['["mariadb", "-h", "db",\n "-pHx9kQ2pLz"]', '["mariadb", "-h", "db",\n "-p[REDACTED:password]"]'],
      ["subprocess.run(['mysqldump', '-u', 'root', '-pHx9kQ2pLz', 'shop'])", "subprocess.run(['mysqldump', '-u', 'root', '-p[REDACTED:password]', 'shop'])"],
      ['spawn("mysql", ["-u", "root", "-pHx9kQ2pLz"])', 'spawn("mysql", ["-u", "root", "-p[REDACTED:password]"])'],
      ['    command: ["mysql"]\n    args: ["-u", "root", "-pHx9kQ2pLz"]\n', '    command: ["mysql"]\n    args: ["-u", "root", "-p[REDACTED:password]"]\n'],
      ["command: mysql\nargs:\n  - -u\n  - root\n  - -pHx9kQ2pLz\n", "command: mysql\nargs:\n  - -u\n  - root\n  - -p[REDACTED:password]\n"],
      ["command:\n  - mysqldump\n  - '-pHx9kQ2pLz'\n  - shop\n", "command:\n  - mysqldump\n  - '-p[REDACTED:password]'\n  - shop\n"],
    ],
    [
      ["-p alone prompts; -P is the port", '{"command": "mysql", "args": ["-u", "root", "-p", "-P3306"]}'],
      ["another command's -p", '{"command": "node", "args": ["-pHx9kQ2pLz"]}\n{"command": "ssh", "args": ["-p2222", "mysql"]}'],
      ["a variable", '{"command": "mysql", "args": ["-p${MYSQL_PASSWORD}"]}'],
      ["a bullet list's prose after mysql, a YAML list's prompt", "Install:\n- mysql\n- -pretty good docs\n\ncommand:\n  - mysql\n  - -p\n  - -P3306\n"],
    ],
  );
});

describe("MySQL's caching_sha2_password hash as a query prints it ($A$005$, a salt of any characters, the digest): a \\G row, a table, SHOW CREATE USER", () => {
  // The salt's 20 characters are any but `$` (a space, a quote, a table's bar, a control character); the digest's 43 end it.
  const salts = ["\x0bq3o%4;M|^i:c|\x7fH-5 '", "N]G;3l#6+OqF8pUh,6rW"];
  const digest = "gB7Ia8S.dbwzPoeKwJz0gcLu7HFVRZs1kXfGqYJcuR5";
  const marker = "[REDACTED:mysql-password-hash]";
  exactAndKept(
    salts.flatMap((salt): [string, string][] => {
      const hash = `$A$005$${salt}${digest}`;
      return [
        [`*************************** 1. row ***************************\n                 user: root\nauthentication_string: ${hash}\n`, `*************************** 1. row ***************************\n                 user: root\nauthentication_string: ${marker}\n`],
        [`| user | host      | authentication_string |\n| root | localhost | ${hash} |`, `| user | host      | authentication_string |\n| root | localhost | ${marker} |`],
        [`CREATE USER \`app\`@\`%\` IDENTIFIED WITH 'caching_sha2_password' AS '${hash}' REQUIRE NONE`, `CREATE USER \`app\`@\`%\` IDENTIFIED WITH 'caching_sha2_password' AS '${marker}' REQUIRE NONE`],
      ];
    }),
    [
      ["the prefix in prose, a digest too short, shell variables", `caching_sha2_password stores $A$005$ then a salt\n$A$005$${salts[1]}${digest.slice(0, 30)}\necho $A$B$C`],
      ["the plugin's name in the column", "| plugin                | authentication_string |\n| caching_sha2_password |                       |"],
    ],
  );
  test("in hex, as HEX(authentication_string) and SHOW CREATE USER's AS 0x… print it", () => {
    const hex = Buffer.from(`$A$005$${salts[0]}${digest}`, "latin1").toString("hex").toUpperCase();
    expect(redact(`| root | ${hex} |`).text).toBe(`| root | ${marker} |`);
    expect(redact(`IDENTIFIED WITH 'caching_sha2_password' AS 0x${hex} REQUIRE NONE`).text).toBe(`IDENTIFIED WITH 'caching_sha2_password' AS ${marker} REQUIRE NONE`);
    expect(redact(`short: ${hex.slice(0, 100)}`).count).toBe(0);
  });
});

describe("a one-liner printing a field named for a secret of what it loads, or the keychain's password (keyring.get_password)", () => {
  const { redactOutput } = createRedactor();
  const printed: [command: string, output: string][] = [
    [`python -c "import keyring; print(keyring.get_password('svc', 'bob'))"`, "Kg9kQ2pLxz"],
    [`node -e "console.log(require('./config').db.password)"`, "Nd9kQ2pLxz"],
    [`python3 -c "import json; print(json.load(open('creds.json'))['token'])"`, "Tk9kQ2pLxzAbCdEf"],
    [`node -p "require('./c').secrets.get('api_key')"`, "Tk9kQ2pLxzAbCdEf"],
    [`node -e "require('keytar').getPassword('svc', 'bob').then(console.log)"`, "Kt9kQ2pLxz"],
  ];
  for (const [command, output] of printed) {
    test(`pasted: ${command}`, () => expect(redact(`$ ${command}\n${output}\n`).text).toBe(`$ ${command}\n[REDACTED:secret]\n`));
    test(`a Bash call's result: ${command}`, () => {
      expect(commandPrints(command)).toBe("any");
      expect(redactOutput(`${output}\n`, "any").text).toBe("[REDACTED:secret]\n");
    });
  }
  exactAndKept(
    [],
    [
      ["fields of no secret, a secret's length", `$ node -e "console.log(require('./package.json').version)"\n1.2.3\n$ python -c "import json; print(json.load(open('c.json'))['token_count'])"\n12345\n$ node -e "console.log(require('./c').password.length)"\n16\n`],
      ["a one-liner printing nothing", `$ python -c "import keyring; keyring.get_password('svc', 'bob')"\nTraceback (most recent call last)\n`],
    ],
  );
});

describe("a secret Python's prompt echoes (>>> keyring.get_password(…), >>> cfg['token']): the word inside its repr's quotes", () => {
  exactAndKept(
    [
      [">>> import keyring\n>>> keyring.get_password('svc', 'bob')\n'Kg9kQ2pLxz'\n", ">>> import keyring\n>>> keyring.get_password('svc', 'bob')\n'[REDACTED:secret]'\n"],
      [">>> cfg = json.load(open('c.json'))\n>>> cfg['token']\n'Tk9kQ2pLxzAbCdEf'\n", ">>> cfg = json.load(open('c.json'))\n>>> cfg['token']\n'[REDACTED:secret]'\n"],
      [">>> settings.SECRET_KEY\n\"Tk9kQ2pLxzAbCdEf\"\n", ">>> settings.SECRET_KEY\n\"[REDACTED:secret]\"\n"],
    ],
    [
      ["a tokenizer's special tokens, an assignment, a length, a field of no secret", ">>> tokenizer.bos_token\n'<|begin_of_text|>'\n>>> tok.unk_token\n'<unk>'\n>>> pw = keyring.get_password('svc', 'bob')\n>>> len(pw)\n10\n>>> cfg['name']\n'myapp-prod-server'\n"],
      ["a placeholder echoed", ">>> os.environ['GITHUB_TOKEN']\n'ghp_xxx'\n"],
    ],
  );
});

describe("a secret other REPLs echo: IPython's Out[n], irb's, pry's and the Rails console's =>, node's quoted string", () => {
  exactAndKept(
    [
      ["In [3]: settings.DB_PASSWORD\nOut[3]: 'Hx9!kQ2pLz7w'\n", "In [3]: settings.DB_PASSWORD\nOut[3]: '[REDACTED:secret]'\n"],
      ["In [4]: print(os.environ['SENDGRID_PASSWORD'])\nHx9!kQ2pLz7w\n", "In [4]: print(os.environ['SENDGRID_PASSWORD'])\n[REDACTED:secret]\n"],
      ['irb(main):001> ENV["API_TOKEN"]\n=> "Tk9kQ2pLxzAbCdEf"\n', 'irb(main):001> ENV["API_TOKEN"]\n=> "[REDACTED:secret]"\n'],
      ["irb(main):002:0> ENV.fetch('DB_PASSWORD')\n=> \"hunter2x!\"\n", "irb(main):002:0> ENV.fetch('DB_PASSWORD')\n=> \"[REDACTED:secret]\"\n"],
      ["[1] pry(main)> pw = ENV['SMTP_PASSWORD']\n=> \"Tr0ub4dor&3\"\n", "[1] pry(main)> pw = ENV['SMTP_PASSWORD']\n=> \"[REDACTED:secret]\"\n"],
      ["[2] pry(main)> Rails.application.credentials.stripe[:secret_key]\n=> \"Hx9kQ2pLz7wAbCdEfGh\"\n", "[2] pry(main)> Rails.application.credentials.stripe[:secret_key]\n=> \"[REDACTED:secret]\"\n"],
      ["store(prod)> Rails.application.credentials.dig(:aws, :secret_access_key)\n=> \"Hx9kQ2pLz7wAbCdEfGh\"\n", "store(prod)> Rails.application.credentials.dig(:aws, :secret_access_key)\n=> \"[REDACTED:secret]\"\n"],
      ["> require('./config').db.password\n'Hx9!kQ2pLz7w'\n", "> require('./config').db.password\n'[REDACTED:secret]'\n"],
      ["> const c = require('./config')\nundefined\n> c.get('stripe.secretKey')\n'Zx8Cv7Bn6Mq5Lp4K'\n", "> const c = require('./config')\nundefined\n> c.get('stripe.secretKey')\n'[REDACTED:secret]'\n"],
      ["> await keytar.getPassword('svc', 'bob')\n\"Hx9!kQ2pLz7w\"\n", "> await keytar.getPassword('svc', 'bob')\n\"[REDACTED:secret]\"\n"],
    ],
    [
      ["IPython's echo of no secret, an assignment, a tokenizer's stand-in", "In [1]: tok.eos_token\nOut[1]: '</s>'\n\nIn [2]: pw = os.environ['DB_PASSWORD']\n\nIn [3]: len(pw)\nOut[3]: 12\n\nIn [4]: settings.ALLOWED_HOSTS\nOut[4]: 'myapp-prod-server'\n"],
      ["irb's echo of a digest's name, a length, nil", "irb(main):001> User.first.password_digest\n=> \"$2a$12$K9kQ2pLxzAbCdEfGhIjKlO\"\nirb(main):002> ENV['API_TOKEN'].length\n=> 40\nirb(main):003> ENV['API_TOKEN']\n=> nil\n"],
      ["a placeholder echoed by pry", "[1] pry(main)> ENV['STRIPE_SECRET_KEY']\n=> \"sk_test_XXXXXXXX\"\n"],
      ["Markdown quotes of code and a quoted line", "> process.env.API_TOKEN\n\"must be set\"\n\n> Set user.password\n'Hx9!kQ2pLz7w'\n"],
      ["node's echo of no secret's field, or of a call's result read further", "> require('./config').db.host\n'db-prod-replica-7.internal'\n> c.password.length\n12\n> getToken().slice(0, 4)\n'ghp_'\n"],
      ["a secret's name, then a mark no prompt of its kind writes", "$ echo $API_TOKEN\n=> hunter2x!\n>>> os.environ['API_TOKEN']\nOut[1]: 'hunter2x!'\n"],
    ],
  );
});

describe("Railway's service variables as railway variables --kv and --json print them: an environment's lines (its box is env-array.ts')", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  test("an opaque token under any name goes; a port, a host stay", () => {
    expect(read("railway variables --kv", `STRIPE=${token}\nPORT=3000\nRAILWAY_PUBLIC_DOMAIN=api-production-1a2b.up.railway.app\n`)).toBe(
      "STRIPE=[REDACTED:secret]\nPORT=3000\nRAILWAY_PUBLIC_DOMAIN=api-production-1a2b.up.railway.app\n",
    );
    expect(read("railway variables -s api --json", `{\n  "STRIPE": "${token}",\n  "PORT": "3000"\n}\n`)).toBe('{\n  "STRIPE": "[REDACTED:secret]",\n  "PORT": "3000"\n}\n');
  });
  test("kept: setting a variable prints none", () => expect(commandPrints("railway variables --set FOO=bar")).toBeUndefined());
  exactAndKept([[`$ railway variables --kv\nSTRIPE=${token}\nPORT=3000\n`, "$ railway variables --kv\nSTRIPE=[REDACTED:secret]\nPORT=3000\n"]], [["a listing of no secret", "$ railway variables --kv\nPORT=3000\nNODE_ENV=production\n"]]);
});

describe("files in dotenv's format under other names: Wrangler's .dev.vars and a shell's startup files (export STRIPE=… in ~/.zshrc)", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const rc = `export ZSH="$HOME/.oh-my-zsh"\nZSH_THEME="robbyrussell"\nplugins=(git docker)\nHISTSIZE=10000\nexport PATH="$HOME/.local/bin:$PATH"\nexport OPENAI=${token}\nalias ll='ls -la'\n`;
  const masked = rc.replace(token, "[REDACTED:secret]");
  test("cat or the Read tool: an opaque token under any name goes, the shell's settings stay", () => {
    for (const command of ["cat ~/.zshrc", "cat ~/.bashrc", "tail -20 ~/.bash_profile", "cat ~/.profile"]) expect(redactOutput(rc, commandPrints(command) ?? "key").text).toBe(masked);
    for (const path of ["/home/a/.zshrc", "/Users/a/.zshenv", "/root/.bashrc", "/work/app/.dev.vars", "/work/app/.dev.vars.staging"]) expect(filePrints(path)).toBe("env");
    expect(redactOutput(`STRIPE=${token}\nACCOUNT_ID=abc123\n`, commandPrints("cat .dev.vars") ?? "key").text).toBe("STRIPE=[REDACTED:secret]\nACCOUNT_ID=abc123\n");
  });
  exactAndKept([[`$ cat ~/.zshrc\n${rc}`, `$ cat ~/.zshrc\n${masked}`]], [["a startup file of no secret", `$ cat ~/.bashrc\n${rc.replace(`export OPENAI=${token}\n`, "")}`]]);
});

describe("an environment file's lines in a search's result (grep STRIPE .env, grep -rn, rg, the Grep tool): an opaque token under any name", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const other = "Hx9kQ2pLz7wAbCdEZx8Cv7Bn6Mq5Lp4K";
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  test("one environment file searched: its lines, after their number with -n", () => {
    expect(read("grep STRIPE .env", `STRIPE=${token}\n`)).toBe("STRIPE=[REDACTED:secret]\n");
    expect(read("grep -n -i 'stripe' apps/web/.env.local", `3:STRIPE=${token}\n`)).toBe("3:STRIPE=[REDACTED:secret]\n");
  });
  test("a folder searched: an environment file's lines after its path, a line of context too; code's lines stay", () => {
    const output = `./.env.production:4:STRIPE=${token}\n./.env.production-5-OPENAI=${other}\n./src/build.ts:7:const BUILD = "${token}";\n`;
    const masked = output.replace(`STRIPE=${token}`, "STRIPE=[REDACTED:secret]").replace(other, "[REDACTED:secret]");
    for (const command of ["grep -rn -A1 STRIPE .", "rg -n STRIPE", "git grep -n STRIPE", "grep -n STRIPE .env.production src/build.ts"]) expect(read(command, output)).toBe(masked);
  });
  test("the Grep tool's kinds read the same way", () => {
    expect(redactOutput(`12:STRIPE=${token}\n`, "env-search").text).toBe("12:STRIPE=[REDACTED:secret]\n");
    expect(redactOutput(`/app/.env:STRIPE=${token}\n/app/src/a.ts:const BUILD = "${token}";\n`, "search").text).toBe(`/app/.env:STRIPE=[REDACTED:secret]\n/app/src/a.ts:const BUILD = "${token}";\n`);
  });
  test("files given by xargs: each line after its file's path", () => {
    expect(read("find . -name '.env*' -print0 | xargs -0 grep -n STRIPE", `./.env.local:3:STRIPE=${token}\n`)).toBe("./.env.local:3:STRIPE=[REDACTED:secret]\n");
  });
  test("kept: a search of no environment file, a process list, a word among another command's arguments", () => {
    expect(["ps aux | grep node", "grep -n TODO src/app.ts", "grep STRIPE README.md", "az vm list -g rg -o table"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]);
    expect(read("rg BUILD", `src/build.ts:const BUILD = "${token}";\n`)).toBe(`src/build.ts:const BUILD = "${token}";\n`);
  });
});

describe("a platform's or a remote host's environment printed through its wrapper (heroku run printenv -a app, fly ssh console -C printenv, ssh host env)", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const output = `PATH=/usr/local/bin:/usr/bin\nSTRIPE=${token}\nPORT=3000\n`;
  for (const command of ["heroku run printenv -a shop", "fly ssh console -C printenv", "ssh deploy@prod env"]) {
    test(command, () => expect(redactOutput(output, commandPrints(command) ?? "key").text).toBe(output.replace(token, "[REDACTED:secret]")));
  }
  exactAndKept([[`$ heroku run printenv -a shop\n${output}`, `$ heroku run printenv -a shop\n${output.replace(token, "[REDACTED:secret]")}`]], [["a command run remotely that prints no environment", `$ heroku run rails db:migrate -a shop\nMigrating ${token}\n`]]);
});

describe("environment files shown through a shell's pattern (cat .env*, tail -n +1 .env*, cat .env.{local,production})", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const output = `==> .env <==\nPORT=3000\n\n==> .env.local <==\nSTRIPE=${token}\n`;
  for (const command of ["cat .env*", "cat .env.*", "tail -n +1 .env*", "cat .env.{local,production}"]) {
    test(command, () => expect(redactOutput(output, commandPrints(command) ?? "key").text).toBe(output.replace(token, "[REDACTED:secret]")));
  }
  test("kept: a listing of them, a file whose name only starts so", () => expect(["ls -la .env*", "cat .envoy.yaml"].map(commandPrints)).toEqual([undefined, undefined]));
});

describe("more listings of an environment: bash's declare -p, Azure's app settings, doppler secrets --json", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const cases: [command: string, output: string][] = [
    ["declare -p STRIPE PORT", `declare -x STRIPE="${token}"\ndeclare -x PORT="3000"\n`],
    ["az webapp config appsettings list -g rg -n app", `[\n  {\n    "name": "STRIPE",\n    "slotSetting": false,\n    "value": "${token}"\n  },\n  {\n    "name": "WEBSITE_NODE_DEFAULT_VERSION",\n    "slotSetting": false,\n    "value": "~18"\n  }\n]\n`],
    ["doppler secrets -p app -c prd --json", `{\n  "STRIPE": {\n    "computed": "${token}",\n    "note": "",\n    "raw": "${token}"\n  }\n}\n`],
  ];
  for (const [command, output] of cases) {
    test(command, () => expect(redactOutput(output, commandPrints(command) ?? "key").text).toBe(output.replaceAll(token, "[REDACTED:secret]")));
  }
  test("kept: setting, an array's declaration, a secret's own reading", () => expect(["declare -x FOO=bar", "declare -a arr", "az webapp config appsettings set -g rg -n app --settings A=b", "doppler secrets get X --json"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]));
  exactAndKept([[`$ declare -p STRIPE\ndeclare -x STRIPE="${token}"\n`, '$ declare -p STRIPE\ndeclare -x STRIPE="[REDACTED:secret]"\n']], [["a variable of no secret", '$ declare -p PORT\ndeclare -x PORT="3000"\n']]);
});

describe("a function's environment as its cloud prints it: Lambda's Environment.Variables, a Cloud Function's environmentVariables", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [
        `{\n    "FunctionName": "api",\n    "Environment": {\n        "Variables": {\n            "STRIPE": "${token}",\n            "NODE_ENV": "production"\n        }\n    }\n}`,
        '{\n    "FunctionName": "api",\n    "Environment": {\n        "Variables": {\n            "STRIPE": "[REDACTED:secret]",\n            "NODE_ENV": "production"\n        }\n    }\n}',
      ],
      [`{\n  "environmentVariables": {\n    "STRIPE": "${token}"\n  },\n  "name": "projects/p/locations/us/functions/fn"\n}`, '{\n  "environmentVariables": {\n    "STRIPE": "[REDACTED:secret]"\n  },\n  "name": "projects/p/locations/us/functions/fn"\n}'],
    ],
    [
      ["an app's environment file of code, a commit's hash among the variables", `export const environment = { production: true, build: "${token}" };\n{"Environment": {"Variables": {"GIT_SHA": "8f14e45fceea167a5a36dedd4bea2543"}}}`],
    ],
  );
});

describe("Terraform's variables files (terraform.tfvars, *.auto.tfvars, .tfvars.json) shown or read: an opaque token under any name", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const tfvars = `region        = "us-east-1"\ninstance_type = "t3.medium"\nami           = "ami-0abcdef1234567890"\nbucket_name   = "acme-prod-assets-20240115"\nstripe        = "${token}"\n`;
  test("cat, the Read tool", () => {
    for (const command of ["cat terraform.tfvars", "cat envs/prod.auto.tfvars"]) expect(redactOutput(tfvars, commandPrints(command) ?? "key").text).toBe(tfvars.replace(token, "[REDACTED:secret]"));
    expect(["/infra/terraform.tfvars", "/infra/prod.auto.tfvars", "/infra/vars.tfvars.json"].map(filePrints)).toEqual(["env", "env", "env"]);
  });
  test("kept: a module's code and its variables' declarations", () => expect(["/infra/main.tf", "/infra/variables.tf"].map(filePrints)).toEqual([undefined, undefined]));
});

describe("a variable of any name printed below its command in a pasted terminal (echo $STRIPE, printenv STRIPE, node -p process.env.STRIPE): its opaque token", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`$ echo $STRIPE\n${token}\n`, "$ echo $STRIPE\n[REDACTED:secret]\n"],
      [`$ printenv OPENAI\n${token}\n`, "$ printenv OPENAI\n[REDACTED:secret]\n"],
      [`$ node -p process.env.MAILER\n${token}\n`, "$ node -p process.env.MAILER\n[REDACTED:secret]\n"],
      [`$ heroku config:get STRIPE -a shop\n${token}\n`, "$ heroku config:get STRIPE -a shop\n[REDACTED:secret]\n"],
    ],
    [
      [
        "a home, a mode, a commit's hash, a build's id, a profile's name",
        "$ echo $HOME\n/home/alice\n$ echo $NODE_ENV\nproduction\n$ echo $GIT_COMMIT\n8f14e45fceea167a5a36dedd4bea2543\n$ echo $BUILD_ID\n3f2b8c1e-9d4a-4e7b-8c2f-1a5d6e7f8091\n$ printenv AWS_PROFILE\nprod-admin-2024\n",
      ],
    ],
  );
});

describe("a stored secret's record pasted below the command that read it (az keyvault secret show, aws ssm get-parameters-by-path --with-decryption): its values", () => {
  const pw = "Vq7kM2xP9s!r";
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [
        `$ az keyvault secret show --vault-name v --name db\n{\n  "attributes": {"enabled": true},\n  "id": "https://v.vault.azure.net/secrets/db/abc",\n  "name": "db",\n  "value": "${pw}"\n}\n`,
        '$ az keyvault secret show --vault-name v --name db\n{\n  "attributes": {"enabled": true},\n  "id": "https://v.vault.azure.net/secrets/db/abc",\n  "name": "db",\n  "value": "[REDACTED:secret]"\n}\n',
      ],
      [
        `me@box:~$ aws ssm get-parameters-by-path --path /prod --with-decryption\n{\n    "Parameters": [\n        {\n            "Name": "/prod/stripe",\n            "Type": "SecureString",\n            "Value": "${token}"\n        }\n    ]\n}\n`,
        'me@box:~$ aws ssm get-parameters-by-path --path /prod --with-decryption\n{\n    "Parameters": [\n        {\n            "Name": "/prod/stripe",\n            "Type": "SecureString",\n            "Value": "[REDACTED:secret]"\n        }\n    ]\n}\n',
      ],
    ],
    [
      ["the user's words after a blank line, an error below the command", "$ op read op://app/db/password\n\nThe token: see the vault, the value: rotated weekly\n$ vault kv get secret/app\nError reading secret/app: permission denied\n"],
      ["a command named in code's docs, the docs' lines below it", " * Read it with `aws ssm get-parameters-by-path --with-decryption`:\n * const password = 'Password used to generate key';\n * const aliceSecret = alice.computeSecret(bobKey);\n"],
    ],
  );
});

describe("a private gem source's credentials as Bundler keeps them (user:password under the source's host): the password", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`---\nBUNDLE_GEMS__CONTRIBSYS__COM: "a1b2c3d4:${token}"\nBUNDLE_PATH: "vendor/bundle"\n`, '---\nBUNDLE_GEMS__CONTRIBSYS__COM: "a1b2c3d4:[REDACTED:password]"\nBUNDLE_PATH: "vendor/bundle"\n'],
      [`heroku config:set BUNDLE_GEMS__CONTRIBSYS__COM=a1b2c3d4:${token}`, "heroku config:set BUNDLE_GEMS__CONTRIBSYS__COM=a1b2c3d4:[REDACTED:password]"],
      [`bundle config set --global gems.contribsys.com a1b2c3d4:${token}`, "bundle config set --global gems.contribsys.com a1b2c3d4:[REDACTED:password]"],
      [
        `Settings for \`gems.contribsys.com\` in order of priority. The top value will be used\nSet for the current user (/home/a/.bundle/config): "a1b2c3d4:${token}"\n`,
        'Settings for `gems.contribsys.com` in order of priority. The top value will be used\nSet for the current user (/home/a/.bundle/config): "a1b2c3d4:[REDACTED:password]"\n',
      ],
    ],
    [
      [
        "Bundler's other settings, a mirror's URL",
        'BUNDLE_PATH: "vendor/bundle"\nBUNDLE_WITHOUT: "development:test"\nBUNDLE_JOBS: "4"\nbundle config set --local path vendor/bundle\nBUNDLE_MIRROR__HTTPS://RUBYGEMS__ORG/: "https://mirror.example.com"\nSet for your local app (/app/.bundle/config): "development:test"\n',
      ],
      ["bundle config's without setting", 'Settings for `without` in order of priority. The top value will be used\nSet for your local app (/app/.bundle/config): "production:staging"\n'],
    ],
  );
});

describe("an environment printed by a command run with a dotenv file loaded or through a package runner, pasted below its prompt (dotenv -e .env.production -- printenv, npx convex env list)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`$ dotenv -e .env.production -- printenv\nSTRIPE=${token}\nPORT=3000\n`, "$ dotenv -e .env.production -- printenv\nSTRIPE=[REDACTED:secret]\nPORT=3000\n"],
      [`$ npx dotenvx run -f .env.production -- env\nSTRIPE=${token}\n`, "$ npx dotenvx run -f .env.production -- env\nSTRIPE=[REDACTED:secret]\n"],
      [`$ npx convex env list\nSTRIPE=${token}\n`, "$ npx convex env list\nSTRIPE=[REDACTED:secret]\n"],
      [`$ pnpm exec dotenvx run -- env\nSTRIPE=${token}\n`, "$ pnpm exec dotenvx run -- env\nSTRIPE=[REDACTED:secret]\n"],
    ],
    [["a program run with it, its output no environment", `$ dotenv -e .env -- node build.js\nbuilt ${token}\n`]],
  );
});

describe("a Kubernetes secret's key printed decoded by a go-template (| base64decode}}) or the view-secret plugin, in a Bash call's result and below a prompt", () => {
  const { redactOutput } = createRedactor();
  const commands = ["kubectl get secret db -o go-template='{{.data.password | base64decode}}'", "kubectl view-secret db password"];
  for (const command of commands) test(command, () => expect(redactOutput("hunter2x!9\n", commandPrints(command) ?? "key").text).toBe("[REDACTED:secret]\n"));
  exactAndKept(
    commands.map((command): [string, string] => [`$ ${command}\nhunter2x!9\n`, `$ ${command}\n[REDACTED:secret]\n`]),
    [["the plugin's list of keys, a template of no secret's data", "$ kubectl view-secret db\nMultiple sub keys found. Specify another argument, one of:\n-> password\n$ kubectl get pods -o go-template='{{range .items}}{{.metadata.name}}{{end}}'\napi-7d9f\n"]],
  );
});

describe("one secret printed alone by a secret-named output or a value cut out of a decrypted file (terraform output db_password, sops -d --extract)", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, output: string, redacted: string][] = [
    ["terraform output db_password", '"hunter2x!9"\n', "[REDACTED:secret]\n"],
    ["terraform output -json db_password", '"hunter2x!9"\n', "[REDACTED:secret]\n"],
    ["sops -d --extract '[\"db\"][\"password\"]' secrets.enc.yaml", "hunter2x!9\n", "[REDACTED:secret]\n"],
  ];
  for (const [command, output, redacted] of cases) test(command, () => expect(redactOutput(output, commandPrints(command) ?? "key").text).toBe(redacted));
  test("kept: an output of no secret's name, every output's listing, the whole file decrypted", () =>
    expect(["terraform output api_url", "terraform output -json", "sops -d secrets.enc.yaml"].map(commandPrints)).toEqual([undefined, undefined, "env"]));
  exactAndKept([['$ terraform output db_password\n"hunter2x!9"\n', '$ terraform output db_password\n"[REDACTED:secret]"\n']], [["an output of no secret's name", '$ terraform output api_url\n"https://api.example.com"\n']]);
});

describe("a secret node's REPL prints bare through console.log, console.info or process.stdout.write: under a secret's name, or an opaque token under any variable's", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      ["> console.log(process.env.DB_PASSWORD)\nVq7kM2xP9s!\nundefined\n", "> console.log(process.env.DB_PASSWORD)\n[REDACTED:secret]\nundefined\n"],
      [`> console.log(process.env.STRIPE)\n${token}\nundefined\n`, "> console.log(process.env.STRIPE)\n[REDACTED:secret]\nundefined\n"],
      ["> console.info(process.env['API_TOKEN'])\nZx8Cv7Bn6Mq5Lp4K\nundefined\n", "> console.info(process.env['API_TOKEN'])\n[REDACTED:secret]\nundefined\n"],
      ["> process.stdout.write(process.env.API_TOKEN)\nZx8Cv7Bn6Mq5Lp4Ktrue\n", "> process.stdout.write(process.env.API_TOKEN)\n[REDACTED:secret]\n"],
      ["> console.log(require('./config').db.password)\nhunter2!x\nundefined\n", "> console.log(require('./config').db.password)\n[REDACTED:secret]\nundefined\n"],
    ],
    [
      ["a Markdown quote of the call, then prose", "> console.log(process.env.DB_PASSWORD)\nprints the password in the logs, so remove it\n\n> console.log(process.env.API_TOKEN)\n\nThat line leaks it.\n"],
      [
        "a variable of no secret's name printed: a mode, a hash, a package's name, a path, an unset one",
        "> console.log(process.env.NODE_ENV)\nproduction\nundefined\n> console.log(process.env.GIT_SHA)\n8f14e45fceea167a5a36dedd4bea2543\nundefined\n> console.log(process.env.npm_package_name)\nclaude-code-sync\nundefined\n> console.log(process.env.HOME)\n/home/alice/projects\nundefined\n> console.log(process.env.DB_PASSWORD)\nundefined\nundefined\n",
      ],
      ["a field of no secret's name printed", `> console.log(user.name)\nAlexanderTheGreat1\nundefined\n> console.log(build.id)\n${token}\nundefined\n`],
    ],
  );
});

describe("a secret a framework's one-liner prints after loading the app's settings: rails runner, manage.py shell -c, artisan tinker --execute", () => {
  const { redactOutput } = createRedactor();
  const cases: [command: string, output: string][] = [
    ["bin/rails runner 'puts Rails.application.credentials.dig(:smtp, :password)'", "Tr0ub4dor&3\n"],
    ["rails r 'puts Rails.application.credentials.stripe[:secret_key]'", "Zx8Cv7Bn6Mq5\n"],
    ['python manage.py shell -c "from django.conf import settings; print(settings.EMAIL_HOST_PASSWORD)"', "Tr0ub4dor&3\n"],
    ["./manage.py shell --command='from django.conf import settings; print(settings.SECRET_KEY)'", "Hx9!kQ2pLz7w\n"],
    ["php artisan tinker --execute=\"echo config('database.connections.mysql.password');\"", "Tr0ub4dor&3\n"],
    ["php artisan tinker --execute 'echo env(\"MAIL_PASSWORD\");'", "Tr0ub4dor&3\n"],
  ];
  for (const [command, output] of cases) {
    test(command, () => {
      const prints = commandPrints(command);
      expect(prints).toBe("any");
      if (prints) expect(redactOutput(output, prints)).toEqual({ text: "[REDACTED:secret]\n", count: 1 });
    });
  }
  test("kept: what prints no secret's name", () => {
    expect([commandPrints("bin/rails runner 'puts User.count'"), commandPrints("python manage.py shell -c 'print(settings.DEBUG)'"), commandPrints("php artisan tinker --execute='echo config(\"app.name\");'")]).toEqual([undefined, undefined, undefined]);
  });
  exactAndKept(
    [
      ["$ bin/rails runner 'puts Rails.application.credentials.dig(:smtp, :password)'\nTr0ub4dor&3\n", "$ bin/rails runner 'puts Rails.application.credentials.dig(:smtp, :password)'\n[REDACTED:secret]\n"],
      ["$ python manage.py shell -c 'from django.conf import settings; print(settings.EMAIL_HOST_PASSWORD)'\nTr0ub4dor&3\n", "$ python manage.py shell -c 'from django.conf import settings; print(settings.EMAIL_HOST_PASSWORD)'\n[REDACTED:secret]\n"],
    ],
    [["a runner printing a count, a shell printing a setting of no secret", "$ bin/rails runner 'puts User.where(admin: true).count'\n1842\n$ python manage.py shell -c 'from django.conf import settings; print(settings.TIME_ZONE)'\nEurope/Berlin\n"]],
  );
});

describe("Laravel's settings as config:show prints them (key ⇁ path ..... value), and its encryption key (env:encrypt, key:generate, env:decrypt --key)", () => {
  const key = "base64:3UVhVXJ0cm9Wb2pXOXZSZVlxbUFCQ0RFRkdISUpLTE0=";
  exactAndKept(
    [
      [
        "  connections ⇁ mysql ⇁ username ......................... forge  \n  connections ⇁ mysql ⇁ password .................. Tr0ub4dor&3  \n  redis ⇁ default ⇁ password ............................... null  \n",
        "  connections ⇁ mysql ⇁ username ......................... forge  \n  connections ⇁ mysql ⇁ password .................. [REDACTED:password]  \n  redis ⇁ default ⇁ password ............................... null  \n",
      ],
      ["$ php artisan config:show services.stripe.secret\n\n  services.stripe.secret ........................ Zx8Cv7Bn6Mq5Lp4K  \n", "$ php artisan config:show services.stripe.secret\n\n  services.stripe.secret ........................ [REDACTED:secret]  \n"],
      ["  mailgun ⇁ secret ........................ Zx8Cv7Bn6Mq5  \n  mailgun ⇁ domain ........................ mg.example.com  \n", "  mailgun ⇁ secret ........................ [REDACTED:secret]  \n  mailgun ⇁ domain ........................ mg.example.com  \n"],
      [`  Key ........................................... ${key}  \n  Cipher ....................................... AES-256-CBC  \n`, "  Key ........................................... [REDACTED:laravel-key]  \n  Cipher ....................................... AES-256-CBC  \n"],
      [`$ php artisan env:decrypt --key=${key} --force`, "$ php artisan env:decrypt --key=[REDACTED:laravel-key] --force"],
      [`$ php artisan key:generate --show\n${key}\n`, "$ php artisan key:generate --show\n[REDACTED:laravel-key]\n"],
    ],
    [
      ["php artisan about's rows and env:decrypt's", "  Application Name ............................... Laravel  \n  PHP Version ..................................... 8.3.13  \n  Session ........................................... file  \n  Decrypted file ..................................... .env  \n  Encrypted file ........................... .env.encrypted  \n"],
      ["a table of contents", "  Resetting your password ......................... 12\n  API tokens ......................... 14\n  Token ....... Required\n  session ⇁ cookie ..................... laravel_session\n"],
      ["a data URI and a shorter base64: value", "src: url(data:font/woff2;base64,d09GMgABAAAAAD) and checksum base64:3UVhVXJ0cm9Wb2pXOXZSZVlxbUFC"],
    ],
  );
});

describe("what a platform's CLI prints of its secrets: heroku config:get's URL and the file vercel env pull writes go, fly secrets list's digests stay", () => {
  const { redactOutput } = createRedactor();
  test("heroku config:get DATABASE_URL: the URL's password", () => {
    const url = "postgres://u8a7b6c5d4e3f2:p9f8e7d6c5b4a3928170ff@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d1a2b3c4d5e6\n";
    expect(redact(`$ heroku config:get DATABASE_URL -a myapp\n${url}`).text).toBe("$ heroku config:get DATABASE_URL -a myapp\npostgres://u8a7b6c5d4e3f2:[REDACTED:password]@ec2-54-1-2-3.compute-1.amazonaws.com:5432/d1a2b3c4d5e6\n");
  });
  test("vercel env pull, then the file it wrote", () => {
    const command = "vercel env pull && cat .env.local";
    const output = '# Created by Vercel CLI\nDATABASE_PASSWORD="Tr0ub4dor&3"\nRESEND="re_Zx8Cv7Bn_6Mq5Lp4KHx9kQ2pLz7wAb"\nVERCEL_ENV="development"\n';
    expect(redactOutput(output, commandPrints(command) ?? "any").text).toBe('# Created by Vercel CLI\nDATABASE_PASSWORD="[REDACTED:secret]"\nRESEND="[REDACTED:secret]"\nVERCEL_ENV="development"\n');
  });
  const fly = "NAME                  DIGEST            CREATED AT\nDATABASE_URL          73eb694e9d599c38  2024-05-01T10:00:00Z\nJWT_SECRET            a1f4c0f8d9e6b2c3  1h ago\n";
  test("kept: fly secrets list's digests, as a Bash call's result", () => {
    expect(commandPrints("fly secrets list -a myapp")).toBeUndefined();
    expect(redact(fly)).toEqual({ text: fly, count: 0 });
  });
  exactAndKept([], [["fly secrets list pasted", `$ fly secrets list -a myapp\n${fly}`]]);
});

describe("a secret PsySH echoes (php artisan tinker): > then = since 0.11, >>> then => before", () => {
  exactAndKept(
    [
      ["> config('services.stripe.secret')\n= \"Zx8Cv7Bn6Mq5Lp4K\"\n", "> config('services.stripe.secret')\n= \"[REDACTED:secret]\"\n"],
      ["> env('DB_PASSWORD')\n= \"Tr0ub4dor&3\"\n", "> env('DB_PASSWORD')\n= \"[REDACTED:secret]\"\n"],
      ["> User::first()->remember_token\n= \"Tr0ub4dor&3x\"\n", "> User::first()->remember_token\n= \"[REDACTED:secret]\"\n"],
      [">>> config('mail.mailers.smtp.password')\n=> \"Tr0ub4dor&3\"\n", ">>> config('mail.mailers.smtp.password')\n=> \"[REDACTED:secret]\"\n"],
    ],
    [
      ["settings of no secret, a count", "> config('app.name')\n= \"Laravel-Prod-2\"\n> User::count()\n= 42\n> config('session.lifetime')\n= 120\n"],
      ["a Markdown quote above a line starting with =", "> a quote about the password\n= Tr0ub4dor&3\n"],
    ],
  );
});

describe("a random_password's result as terraform state show and terraform show print the resource (result = \"…\")", () => {
  exactAndKept(
    [
      [
        '# random_password.db:\nresource "random_password" "db" {\n    id          = "none"\n    length      = 24\n    result      = (sensitive value)\n}\n# random_password.api:\nresource "random_password" "api" {\n    length = 24\n    result = "q8Zt3Vw9-Rk2Lm5Np7Xs1Yb4"\n}\n',
        '# random_password.db:\nresource "random_password" "db" {\n    id          = "none"\n    length      = 24\n    result      = (sensitive value)\n}\n# random_password.api:\nresource "random_password" "api" {\n    length = 24\n    result = "[REDACTED:password]"\n}\n',
      ],
    ],
    [["the resource's source and a reference to its result", 'resource "random_password" "db" {\n  length  = 24\n  special = true\n}\n\nresource "aws_db_instance" "main" {\n  password = random_password.db.result\n}\n']],
  );
});

describe("a passphrase piped into gpg --passphrase-fd 0 or openssl -pass stdin", () => {
  exactAndKept(
    [
      ["echo 'Tr0ub4dor&3' | gpg --batch --yes --passphrase-fd 0 --pinentry-mode loopback -d backup.tar.gz.gpg > backup.tar.gz", "echo '[REDACTED:secret]' | gpg --batch --yes --passphrase-fd 0 --pinentry-mode loopback -d backup.tar.gz.gpg > backup.tar.gz"],
      ['echo "Hx9!kQ2pLz7w" | openssl enc -d -aes-256-cbc -pbkdf2 -pass stdin -in secrets.enc', 'echo "[REDACTED:secret]" | openssl enc -d -aes-256-cbc -pbkdf2 -pass stdin -in secrets.enc'],
    ],
    [["what gpg signs, its passphrase from another descriptor; a variable", "echo 'release notes v2' | gpg --clearsign --passphrase-fd 3 3<pass.txt\necho \"$GPG_PASSPHRASE\" | gpg --batch --passphrase-fd 0 -d x.gpg"]],
  );
});

describe("a secret printed by netlify env:get, convex env get, firebase functions:secrets:access, pulumi config get or stack output --show-secrets under a secret's name", () => {
  const { redactOutput } = createRedactor();
  for (const command of [
    "netlify env:get STRIPE_SECRET_KEY --context production", "pulumi config get dbPassword", "pulumi config get myapp:apiToken --stack prod",
    "npx convex env get AUTH_SECRET", "firebase functions:secrets:access STRIPE_SECRET --project acme", "pulumi stack output dbPassword --show-secrets",
    "pulumi stack output --show-secrets apiToken",
  ]) {
    test(command, () => expect(redactOutput("Tr0ub4dor&3\n", commandPrints(command) ?? "key").text).toBe("[REDACTED:secret]\n"));
  }
  test("kept: a setting's name", () =>
    expect(["netlify env:get SITE_URL", "pulumi config get aws:region", "npx convex env get SITE_URL", "pulumi stack output url --show-secrets"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]));
  exactAndKept(
    [
      ["$ netlify env:get DB_PASSWORD\nTr0ub4dor&3\n", "$ netlify env:get DB_PASSWORD\n[REDACTED:secret]\n"],
      ["$ npx convex env get AUTH_SECRET\nZx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\n", "$ npx convex env get AUTH_SECRET\n[REDACTED:secret]\n"],
      ["$ pulumi stack output dbPassword --show-secrets\nZx8Cv7Bn6Mq5Lp4K\n", "$ pulumi stack output dbPassword --show-secrets\n[REDACTED:secret]\n"],
    ],
    [["a setting printed", "$ netlify env:get SITE_URL\nhttps://acme.netlify.app\n$ pulumi config get aws:region\nus-east-1-prod\n$ pulumi stack output dbPassword\n[secret]\n$ npx convex env get SITE_URL\nhttp://localhost:5173\n"]],
  );
});

describe("a process's environment read from /proc (cat /proc/1/environ | tr '\\0' '\\n'): a variable's opaque token goes whatever its name", () => {
  const { redactOutput } = createRedactor();
  const dump = "HOSTNAME=api-7d9f8c6b5-x2k4p\nSTRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\nNODE_ENV=production\n";
  for (const command of ["cat /proc/1/environ | tr '\\0' '\\n'", "sudo xargs -0 -L1 -a /proc/$PID/environ", "kubectl exec api-0 -- strings /proc/1/environ"]) {
    test(command, () => {
      expect(commandPrints(command)).toBe("env");
      expect(redactOutput(dump, commandPrints(command) ?? "key").text).toBe("HOSTNAME=api-7d9f8c6b5-x2k4p\nSTRIPE=[REDACTED:secret]\nNODE_ENV=production\n");
    });
  }
  test("kept: a folder of /proc, a file named after environ", () => expect([commandPrints("ls /proc/1/"), commandPrints("cat /proc/1/environment.txt")]).toEqual([undefined, undefined]));
});

describe("an environment printed by kubectl set env --list, systemctl show-environment or docker inspect's range over .Config.Env: an opaque token goes whatever its name", () => {
  const { redact, redactOutput } = createRedactor();
  const dump = "HOSTNAME=api-7d9f8c6b5-x2k4p\nSTRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE\nNODE_ENV=production\n";
  const masked = "HOSTNAME=api-7d9f8c6b5-x2k4p\nSTRIPE=[REDACTED:secret]\nNODE_ENV=production\n";
  const commands = ["kubectl set env deploy/api --list", "systemctl --user show-environment", "docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' api"];
  for (const command of commands) {
    test(command, () => expect(redactOutput(dump, commandPrints(command) ?? "key").text).toBe(masked));
    test(`$ ${command}, pasted`, () => expect(redact(`$ ${command}\n${dump}`).text).toBe(`$ ${command}\n${masked}`));
  }
  test("$ xargs -0 -L1 -a /proc/1/environ, pasted", () => expect(redact(`$ xargs -0 -L1 -a /proc/1/environ\n${dump}`).text).toBe(`$ xargs -0 -L1 -a /proc/1/environ\n${masked}`));
  test("kept: a variable set, a unit's settings, one field inspected", () =>
    expect(["kubectl set env deploy/api FOO=bar", "systemctl show api", "docker inspect -f '{{.Config.Image}}' api"].map(commandPrints)).toEqual([undefined, undefined, undefined]));
});

describe("a URL's key in a template literal, its backtick right after the value (fetch(`…&appid=…`))", () => {
  exactAndKept(
    [
      ["fetch(`https://api.openweathermap.org/data/2.5/weather?q=${city}&appid=4f8a2c9e1b7d3f5a6c8e0b2d4f6a8c0e`)", "fetch(`https://api.openweathermap.org/data/2.5/weather?q=${city}&appid=[REDACTED:secret]`)"],
      ["const url = `https://maps.example.com/geocode?address=${q}&key=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pL`;", "const url = `https://maps.example.com/geocode?address=${q}&key=[REDACTED:secret]`;"],
      ["`https://acme.blob.core.windows.net/c/b.bak?sv=2022-11-02&sp=r&sig=a8Kd03LmQz7TyXuV4nR9pWq2Ls8Gh3Jk6Mn1Bv5Cx7Z%3D`", "`https://acme.blob.core.windows.net/c/b.bak?sv=2022-11-02&sp=r&sig=[REDACTED:secret]`"],
    ],
    [["a key that is no key, in a template literal", "fetch(`/api/cache?key=${userId}:profile`)\nfetch(`https://x.io/oauth?code=200`)\nconst u = `https://api.example.com/items?key=images/2024/a.jpg`;"]],
  );
});

describe("a secret column's value in psql's expanded display (\\x: -[ RECORD 1 ]- then name | value)", () => {
  exactAndKept(
    [
      [
        "-[ RECORD 1 ]-+---------------------------------\nid            | 1\nprovider      | stripe\naccess_token  | a8Kd03LmQz7TyXuV4nR9pWq2Ls8Gh3Jk\npassword      | hunter2x!\n-[ RECORD 2 ]-+---------------------------------\nid            | 2\naccess_token  | \nrefresh_token | Gh3Jk6Mn1Bv5Cx7Zt0Yr4Ew2Qa9Sd3Fg\n",
        "-[ RECORD 1 ]-+---------------------------------\nid            | 1\nprovider      | stripe\naccess_token  | [REDACTED:secret]\npassword      | [REDACTED:password]\n-[ RECORD 2 ]-+---------------------------------\nid            | 2\naccess_token  | \nrefresh_token | [REDACTED:secret]\n",
      ],
    ],
    [
      ["columns of no secret, a secret's column empty or null", "-[ RECORD 1 ]------------------\nid         | 7\ntoken_type | bearer\nexpires_in | 3600\napi_key    | \nsecret     | null\n"],
      ["name | value lines with no record's header", "access_token | a8Kd03LmQz\npassword | hunter2x!\n"],
    ],
  );
});

describe("a secret-named variable's value cut out of a file by grep's lookbehind (grep -oP '(?<=DB_PASSWORD=).*' .env)", () => {
  const { redactOutput } = createRedactor();
  for (const command of ["grep -oP '(?<=DB_PASSWORD=).*' .env", "grep -oP '(?<=^API_TOKEN=)[^ ]+' .env.local", "grep -Po '(?<=password: ).*' config/database.yml"]) {
    test(command, () => expect(redactOutput("Vq7kM2xP9s\n", commandPrints(command) ?? "key").text).toBe("[REDACTED:secret]\n"));
  }
  test("kept: a lookbehind for no secret's name", () => expect([commandPrints("grep -oP '(?<=version=)[0-9.]+' setup.cfg"), commandPrints("grep -oP '(?<=token_count: )\\d+' usage.log")]).toEqual([undefined, undefined]));
  exactAndKept([["$ grep -oP '(?<=DB_PASSWORD=).*' .env\nVq7kM2xP9s\n", "$ grep -oP '(?<=DB_PASSWORD=).*' .env\n[REDACTED:secret]\n"]], [["a version cut out", "$ grep -oP '(?<=version=)[0-9.]+' setup.cfg\n2.14.0\n"]]);
});

describe("a value eas env:create stores under a secret's name or as secret, and altool's app-specific password", () => {
  exactAndKept(
    [
      ["eas env:create --name DB_PASSWORD --value 'Vq7kM2x' --environment production", "eas env:create --name DB_PASSWORD --value '[REDACTED:secret]' --environment production"],
      ["eas env:create --name SENTRY --value vq7km2xp9s --visibility sensitive --environment production", "eas env:create --name SENTRY --value [REDACTED:secret] --visibility sensitive --environment production"],
      ['xcrun altool --upload-app -f App.ipa -u dev@acme.io -p "abcd-efgh-ijkl-mnop"', 'xcrun altool --upload-app -f App.ipa -u dev@acme.io -p "[REDACTED:password]"'],
    ],
    [
      ["a setting, a password kept in the keychain", "eas env:create --name API_URL --value https://api.acme.io --visibility plaintext --environment production\nxcrun altool --upload-app -f App.ipa -u dev@acme.io -p @keychain:AC_PASSWORD\n"],
    ],
  );
});

describe("a process's environment pasted below the command that printed it ($ env, $ printenv | sort, $ docker exec api env): its opaque tokens under any name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`$ env\nSHELL=/bin/zsh\nSTRIPE=${token}\n`, "$ env\nSHELL=/bin/zsh\nSTRIPE=[REDACTED:secret]\n"],
      [`$ printenv | sort\nNODE_ENV=production\nSTRIPE=${token}\n`, "$ printenv | sort\nNODE_ENV=production\nSTRIPE=[REDACTED:secret]\n"],
      [`me@box:~/app$ docker exec api env\nSTRIPE=${token}\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n$ ls\n`, "me@box:~/app$ docker exec api env\nSTRIPE=[REDACTED:secret]\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n$ ls\n"],
      [`$ kubectl exec deploy/api -- env\nSTRIPE=${token}\n`, "$ kubectl exec deploy/api -- env\nSTRIPE=[REDACTED:secret]\n"],
    ],
    [
      ["another command's output, env running a command, no command", `$ docker ps\nSTRIPE=${token}\n$ env FOO=1 node x.js\nSTRIPE=${token}\nthe environment:\nSTRIPE=${token}\n`],
    ],
  );
});

describe("the whole environment a REPL echoes (> process.env, >>> os.environ, irb> ENV.to_h): its opaque tokens under any name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`> process.env\n{\n  SHELL: '/bin/zsh',\n  STRIPE: '${token}',\n  NODE_ENV: 'development'\n}\n`, "> process.env\n{\n  SHELL: '/bin/zsh',\n  STRIPE: '[REDACTED:secret]',\n  NODE_ENV: 'development'\n}\n"],
      [`>>> os.environ\nenviron({'SHELL': '/bin/zsh', 'STRIPE': '${token}', 'HOME': '/home/me'})\n`, ">>> os.environ\nenviron({'SHELL': '/bin/zsh', 'STRIPE': '[REDACTED:secret]', 'HOME': '/home/me'})\n"],
      [`In [2]: dict(os.environ)\nOut[2]:\n{'HOME': '/home/me',\n 'STRIPE': '${token}'}\n`, "In [2]: dict(os.environ)\nOut[2]:\n{'HOME': '/home/me',\n 'STRIPE': '[REDACTED:secret]'}\n"],
      [`irb(main):001> ENV.to_h\n=> {"SHELL"=>"/bin/zsh", "STRIPE"=>"${token}"}\n`, 'irb(main):001> ENV.to_h\n=> {"SHELL"=>"/bin/zsh", "STRIPE"=>"[REDACTED:secret]"}\n'],
    ],
    [
      ["a map of no environment, a commit's hash and a public key's name in the environment", `>>> cfg\n{'STRIPE': '${token}'}\n> process.env\n{ GIT_SHA: '8f14e45fceea167a5a36dedd4bea2543', NEXT_PUBLIC_ANALYTICS: '${token}' }\n`],
    ],
  );
});

describe("an opaque token in Kubernetes' env list (- name: STRIPE, then value: …) and in export -p's listing (declare -x STRIPE=\"…\")", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const { redactOutput } = createRedactor();
  exactAndKept(
    [[`        env:\n        - name: STRIPE\n          value: "${token}"\n        - name: NODE_ENV\n          value: production\n`, '        env:\n        - name: STRIPE\n          value: "[REDACTED:secret]"\n        - name: NODE_ENV\n          value: production\n']],
    [
      ["a build's number, a commit's hash, a HAR header's trace id", `        - name: BUILD\n          value: "20261207120000123456"\n        - name: GIT_SHA\n          value: 8f14e45fceea167a5a36dedd4bea2543\n"headers": [{"name": "X-Trace", "value": "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH"}]\n`],
    ],
  );
  test("export -p", () => {
    expect(redactOutput(`declare -x HOME="/home/me"\ndeclare -x STRIPE="${token}"\n`, commandPrints("export -p") ?? "key").text).toBe('declare -x HOME="/home/me"\ndeclare -x STRIPE="[REDACTED:secret]"\n');
  });
});

describe("Windows' listings of the environment: PowerShell's Get-ChildItem Env: (a Name and Value table) and cmd's set below its C:\\app> prompt", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const table = `\nName                           Value\n----                           -----\nCOMPUTERNAME                   DESKTOP-7Q4WX\nDB_PASSWORD                    Hx9!kQ2pLz7w\nSTRIPE                         ${token}\n`;
  const masked = "\nName                           Value\n----                           -----\nCOMPUTERNAME                   DESKTOP-7Q4WX\nDB_PASSWORD                    [REDACTED:secret]\nSTRIPE                         [REDACTED:secret]\n";
  const { redactOutput } = createRedactor();
  test("Get-ChildItem Env: as a Bash call's result", () => expect(redactOutput(table, commandPrints("Get-ChildItem Env:") ?? "key").text).toBe(masked));
  exactAndKept(
    [
      [`PS C:\\app> gci env:\n${table}`, `PS C:\\app> gci env:\n${masked}`],
      [`C:\\app>set\nALLUSERSPROFILE=C:\\ProgramData\nSTRIPE=${token}\n`, "C:\\app>set\nALLUSERSPROFILE=C:\\ProgramData\nSTRIPE=[REDACTED:secret]\n"],
    ],
    [["a table below another command, cmd's set of one variable", `PS C:\\app> gci .\\config\n\nName                           Value\n----                           -----\nSTRIPE                         ${token}\nC:\\app>set STRIPE=${token}\n`]],
  );
});

describe("an opaque token in a container's environment given on its command line (docker run -e STRIPE=…) or in Compose's environment list (- STRIPE=…)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`docker run --rm --env STRIPE=${token} -e NODE_ENV=production acme/api`, "docker run --rm --env STRIPE=[REDACTED:secret] -e NODE_ENV=production acme/api"],
      [`podman container create -e "OPENAI=${token}" api`, 'podman container create -e "OPENAI=[REDACTED:secret]" api'],
      [`services:\n  api:\n    environment:\n      - STRIPE=${token}\n      - "OPENAI=${token}"\n      - NODE_ENV=production\n`, 'services:\n  api:\n    environment:\n      - STRIPE=[REDACTED:secret]\n      - "OPENAI=[REDACTED:secret]"\n      - NODE_ENV=production\n'],
    ],
    [
      ["a commit's hash, a build's number, a URL, a name of words", "docker run -e GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 -e BUILD=20261207120000123456 -e API_URL=https://api.acme.io/v1/Zx8Cv7Bn6Mq5 -e APP_NAME=ProductionDatabaseReplica2 api\n    environment:\n      - GIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n      - APP_NAME=ProductionDatabaseReplica2\n"],
      ["a token in a list that is no environment's", `    labels:\n      - STRIPE=${token}\n`],
    ],
  );
});

describe("an opaque token given to an image's build (docker build --build-arg FOO=…, buildx's, podman's), whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`docker build --build-arg FOO=${token} -t app .`, "docker build --build-arg FOO=[REDACTED:secret] -t app ."],
      [`docker buildx build --platform linux/amd64 --build-arg "X=${token}" .`, 'docker buildx build --platform linux/amd64 --build-arg "X=[REDACTED:secret]" .'],
      [`podman build --build-arg=VALUE=${token} .`, "podman build --build-arg=VALUE=[REDACTED:secret] ."],
    ],
    [["a commit's hash, a version, a URL, a name of words", "docker build --build-arg GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 --build-arg NODE_VERSION=20.11.1 --build-arg API_URL=https://api.acme.io/v1 --build-arg APP=ProductionDatabaseReplica2 ."]],
  );
});

describe("an opaque token in a service's environment given on one line: systemd's Environment=, gcloud's --set-env-vars, Lambda's Variables={…}", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`[Service]\nEnvironment="STRIPE=${token}" "NODE_ENV=production"\nEnvironment=OPENAI=${token}\n`, '[Service]\nEnvironment="STRIPE=[REDACTED:secret]" "NODE_ENV=production"\nEnvironment=OPENAI=[REDACTED:secret]\n'],
      [`gcloud run deploy api --set-env-vars=STRIPE=${token},NODE_ENV=production`, "gcloud run deploy api --set-env-vars=STRIPE=[REDACTED:secret],NODE_ENV=production"],
      [`gcloud functions deploy f --update-env-vars STRIPE=${token}`, "gcloud functions deploy f --update-env-vars STRIPE=[REDACTED:secret]"],
      [`aws lambda update-function-configuration --function-name api --environment 'Variables={STRIPE=${token},NODE_ENV=production}'`, "aws lambda update-function-configuration --function-name api --environment 'Variables={STRIPE=[REDACTED:secret],NODE_ENV=production}'"],
    ],
    [["a commit's hash, a build's number, settings", "Environment=GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 BUILD=20261207120000123456\ngcloud run deploy api --set-env-vars=APP_NAME=ProductionDatabaseReplica2,NODE_ENV=production\nENVIRONMENT=production\n"]],
  );
});

describe("an opaque token in a container's environment as JSON objects: ECS's \"environment\": [{\"name\": …, \"value\": …}], Kubernetes' \"env\": […]", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`"environment": [\n  {"name": "STRIPE", "value": "${token}"},\n  {"name": "GIT_SHA", "value": "8f14e45fceea167a5a36dedd4bea2543"}\n]`, '"environment": [\n  {"name": "STRIPE", "value": "[REDACTED:secret]"},\n  {"name": "GIT_SHA", "value": "8f14e45fceea167a5a36dedd4bea2543"}\n]'],
      [`{"containers":[{"env":[{"name":"STRIPE","value":"${token}"}]}]}`, '{"containers":[{"env":[{"name":"STRIPE","value":"[REDACTED:secret]"}]}]}'],
    ],
    [["a HAR's headers, an environment array of no objects", `"cookies": [], "headers": [{"name": "X-Trace", "value": "${token}"}]\n"environment": ["dev", "${token}"]`]],
  );
});

describe("an opaque token in a YAML environment block as a map (Compose's environment: then STRIPE: …, a workflow's env:)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`services:\n  api:\n    environment:\n      STRIPE: ${token}\n      NODE_ENV: production\n    image: acme/api\n`, "services:\n  api:\n    environment:\n      STRIPE: [REDACTED:secret]\n      NODE_ENV: production\n    image: acme/api\n"],
      [`jobs:\n  build:\n    env:\n      STRIPE: "${token}"\n      REF: \${{ github.ref }}\n    steps:\n      - run: npm test\n`, 'jobs:\n  build:\n    env:\n      STRIPE: "[REDACTED:secret]"\n      REF: ${{ github.ref }}\n    steps:\n      - run: npm test\n'],
    ],
    [
      ["a commit's hash in the block; a sibling key's value below it; PowerShell's $env:", `    environment:\n      GIT_SHA: 8f14e45fceea167a5a36dedd4bea2543\n    image: acme/api\n    build_id: ${token}\n$env:\nSTRIPE: ${token}\n`],
    ],
  );
});

describe("an opaque token in an environment written as an object (pm2's env: {…}, a JSON config's \"env\": {…}, a dev container's containerEnv)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`module.exports = { apps: [{ name: "api", env: { STRIPE: "${token}", NODE_ENV: "production" }, env_production: { OPENAI: '${token}' } }] };`, `module.exports = { apps: [{ name: "api", env: { STRIPE: "[REDACTED:secret]", NODE_ENV: "production" }, env_production: { OPENAI: '[REDACTED:secret]' } }] };`],
      [`{ "mcpServers": { "search": { "command": "npx", "env": { "BRAVE": "${token}" } } } }`, '{ "mcpServers": { "search": { "command": "npx", "env": { "BRAVE": "[REDACTED:secret]" } } } }'],
      [`{ "containerEnv": { "STRIPE": "${token}", "GIT_SHA": "8f14e45fceea167a5a36dedd4bea2543" } }`, '{ "containerEnv": { "STRIPE": "[REDACTED:secret]", "GIT_SHA": "8f14e45fceea167a5a36dedd4bea2543" } }'],
    ],
    [["an object under another key, a commit's hash, a public variable", `const config = { dotenv: { path: "${token}" }, build: { id: "${token}" } };\n{ "env": { "GIT_SHA": "8f14e45fceea167a5a36dedd4bea2543", "NEXT_PUBLIC_ANALYTICS": "${token}" } }`]],
  );
});

describe("a secret chamber read -q prints under a secret's name (its value alone)", () => {
  const { redactOutput } = createRedactor();
  test("chamber read -q myapp db_password", () => expect(redactOutput("Vq7kM2xP9s\n", commandPrints("chamber read -q myapp db_password") ?? "key").text).toBe("[REDACTED:secret]\n"));
  test("kept: a setting's name", () => expect(commandPrints("chamber read -q myapp region")).toBeUndefined());
  exactAndKept([["$ chamber read -q myapp db_password\nVq7kM2xP9s\n", "$ chamber read -q myapp db_password\n[REDACTED:secret]\n"]], [["a setting read", "$ chamber read -q myapp region\neu-west-1-prod\n"]]);
});

describe("a secret chamber read prints without -q: the Value column of its Key, Value, Version, LastModified and User table", () => {
  const { redactOutput } = createRedactor();
  const table = (rows: string) => `Key\t\tValue\t\t\tVersion\tLastModified\tUser\n${rows}`;
  const row = (key: string, value: string) => `${key}\t${value}\t3\t06-09 17:30:56\tarn:aws:iam::123456789012:user/dan\n`;
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  test("under a secret's name, whatever its shape (a passphrase's spaces too), or drawn at random under any name", () => {
    expect(read("chamber read myapp db_password", table(row("db_password", "Vq7kM2xP9s")))).toBe(table(row("db_password", "[REDACTED:secret]")));
    expect(read("chamber read -v 2 myapp api_key", table(row("api_key", "correct horse battery")))).toBe(table(row("api_key", "[REDACTED:secret]")));
    expect(read("chamber read myapp stripe", table(row("stripe", "a8F3kQ9zX2mV7pL4tR6wN1bY5cD0eH")))).toBe(table(row("stripe", "[REDACTED:secret]")));
    expect(read("chamber read myapp db_password -q", "Vq7kM2xP9s\n")).toBe("[REDACTED:secret]\n");
  });
  test("kept: a setting's value, and chamber list's table (no values)", () => {
    expect(read("chamber read myapp region", table(row("region", "eu-west-1")))).toBe(table(row("region", "eu-west-1")));
    const list = "Key\t\tVersion\tLastModified\tUser\ndb_password\t3\t06-09 17:30:56\tdan\n";
    expect(read("chamber list myapp", list)).toBe(list);
  });
  exactAndKept(
    [
      [
        "$ chamber read myapp db_password\nKey          Value              Version  LastModified    User\ndb_password  Vq7kM2xP9s hunter  3        06-09 17:30:56  dan\n",
        "$ chamber read myapp db_password\nKey          Value              Version  LastModified    User\ndb_password  [REDACTED:secret]  3        06-09 17:30:56  dan\n",
      ],
    ],
    [
      ["a setting read", "$ chamber read myapp region\nKey     Value      Version  LastModified    User\nregion  eu-west-1  1        06-09 17:30:56  dan\n"],
      ["a table in prose below no command", "Run chamber read myapp region to see it.\nKey     Value      Version  LastModified    User\ntoken   Vq7kM2xP9s 1        06-09 17:30:56  dan\n"],
    ],
  );
});

describe("a secret a Jupyter notebook's cell shows as its result, read in the notebook's JSON (its source's last line reads a secret's name)", () => {
  const cell = (source: string, result: string) =>
    `  {\n   "cell_type": "code",\n   "execution_count": 3,\n   "metadata": {},\n   "outputs": [\n    {\n     "data": {\n      "text/plain": [\n       ${result}\n      ]\n     },\n     "execution_count": 3,\n     "metadata": {},\n     "output_type": "execute_result"\n    }\n   ],\n   "source": [\n    ${source}\n   ]\n  }`;
  exactAndKept(
    [
      [cell(`"import os\\n",\n    "os.environ['DB_PASSWORD']"`, `"'Hx9!kQ2pLz7w'"`), cell(`"import os\\n",\n    "os.environ['DB_PASSWORD']"`, `"'[REDACTED:secret]'"`)],
      [cell(`"settings.SECRET_KEY"`, `"\\"Zx8Cv7Bn6Mq5Lp4K\\""`), cell(`"settings.SECRET_KEY"`, `"\\"[REDACTED:secret]\\""`)],
    ],
    [
      ["a result of no secret's name, a stand-in, an assignment's cell", `${cell(`"df.head(1).id[0]"`, `"'Zx8Cv7Bn6Mq5Lp4K'"`)},\n${cell(`"tokenizer.eos_token"`, `"'</s>'"`)},\n${cell(`"pw = os.environ['DB_PASSWORD']"`, `"'Hx9!kQ2pLz7w'"`)}`],
    ],
  );
});

describe("Azure's app settings listed as a table (az webapp|functionapp config appsettings list -o table): its Value column", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const table = (value: string) =>
    `Name                          Value                             SlotSetting\n----------------------------  --------------------------------  -------------\nFUNCTIONS_WORKER_RUNTIME      node                              False\nSTRIPE                        ${value}  False\n`;
  for (const command of ["az functionapp config appsettings list -g rg -n fn -o table", "az webapp config appsettings list -g rg -n app --output table"]) {
    test(command, () => expect(redactOutput(table(token), commandPrints(command) ?? "key").text).toBe(table("[REDACTED:secret]")));
  }
  test("a word under a plain name goes too (an app's settings hold its secrets under any name); names and SlotSetting stay", () => {
    const words = "Name         Value                  SlotSetting\n-----------  ---------------------  -------------\nSTRIPE       correct-horse-battery  False\nMAIL_SECRET  hunter2                True\nSIGNING      letmein                False\n";
    const masked = "Name         Value                  SlotSetting\n-----------  ---------------------  -------------\nSTRIPE       [REDACTED:secret]  False\nMAIL_SECRET  [REDACTED:secret]                True\nSIGNING      [REDACTED:secret]                False\n";
    expect(redactOutput(words, commandPrints("az webapp config appsettings list -g rg -n app -o table") ?? "key").text).toBe(masked);
  });
  test("kept: settings of no secret", () => {
    const plain = "Name                      Value  SlotSetting\n------------------------  -----  -------------\nFUNCTIONS_WORKER_RUNTIME  node   False\nWEBSITE_RUN_FROM_PACKAGE  1      True\nASPNETCORE_ENVIRONMENT    Production  False\nNODE_ENV                  production  False\nLOG_LEVEL                 debug  False\nFEATURE_X                 enabled  False\nAPI_BASE                  api.example.com  False\n";
    expect(redactOutput(plain, commandPrints("az functionapp config appsettings list -g rg -n fn -o table") ?? "key")).toEqual({ text: plain, count: 0 });
  });
  exactAndKept(
    [[`$ az functionapp config appsettings list -g rg -n fn -o table\n${table(token)}`, `$ az functionapp config appsettings list -g rg -n fn -o table\n${table("[REDACTED:secret]")}`]],
    [],
  );
});

describe("vercel env pull written to the terminal (/dev/stdout): the .env file it prints", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const file = (value: string) => `# Created by Vercel CLI\nNODE_ENV="production"\nSTRIPE="${value}"\n`;
  for (const command of ["vercel env pull --yes /dev/stdout", "npx vercel env pull /dev/stdout --environment=production", "vc env pull /dev/fd/1"]) {
    test(command, () => expect(redactOutput(file(token), commandPrints(command) ?? "key").text).toBe(file("[REDACTED:secret]")));
  }
  test("kept: the file written elsewhere, whose output is the CLI's notices", () => expect(["vercel env pull", "vercel env pull .env.local --yes", "vercel env ls"].map(commandPrints)).toEqual([undefined, undefined, undefined]));
  exactAndKept([[`$ vercel env pull --yes /dev/stdout\n${file(token)}`, `$ vercel env pull --yes /dev/stdout\n${file("[REDACTED:secret]")}`]], []);
});

describe("an environment file searched inside $(…) or backticks (echo $(grep STRIPE .env)), or with no file's names (grep -rh, rg -I)", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  const commands = [
    "echo $(grep STRIPE .env)",
    'echo "$(grep STRIPE .env.local)"',
    "echo `grep STRIPE .env`",
    "grep -rh STRIPE .env*",
    "grep -h STRIPE .env .env.local",
    "grep -rhn STRIPE --include='.env*' .",
    "rg -I STRIPE -g '.env*'",
    "rg --no-filename STRIPE .env.production",
  ];
  for (const command of commands) test(command, () => expect(read(command, `STRIPE=${token}\n`)).toBe("STRIPE=[REDACTED:secret]\n"));
  test("kept: a search with no file's names of no environment file; code's lines below a search of one", () => {
    expect(["grep -rh todo src", "grep -h TODO a.ts b.ts", "echo $(grep -c STRIPE .env)"].map(commandPrints)).toEqual([undefined, undefined, undefined]);
    expect(read("grep -rh STRIPE .env*", 'const STRIPE = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";\n')).toBe('const STRIPE = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";\n');
  });
});

describe("a folder searched for a secret's variable with no file's names (grep -rh STRIPE ., rg -I OPENAI): its lines read as an environment file's", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  const lines = (key: string, stripe: string) => `STRIPE_KEY=${key}\nSTRIPE=${stripe}\nSTRIPE_MODE=live\nconst stripe = new Stripe(process.env.STRIPE_KEY);\n`;
  for (const command of ["grep -rh STRIPE .", "grep -Rh -e STRIPE_ src", "rg -I STRIPE", "git grep -h STRIPE", "grep -rh DB_PASSWORD /srv/app"]) {
    test(command, () => expect(read(command, lines("Tr0ub4dor3", token))).toBe(lines("[REDACTED:secret]", "[REDACTED:secret]")));
  }
  test("kept: a folder searched for no secret's name, one file of code searched, and the settings and code of such a search", () => {
    expect(["grep -rhi todo .", "grep -rh stripe_mode .", "grep -h STRIPE app.ts", "rg -I useState"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]);
    const plain = "STRIPE_MODE=live\nSTRIPE_API_VERSION=2024-06-20\nSTRIPE_ACCOUNT_ID=acct_1NqXk9mQ2pLr7Tz4\nconst stripe = new Stripe(process.env.STRIPE_KEY, { apiVersion: '2024-06-20' });\n";
    expect(redactOutput(plain, "env-search")).toEqual({ text: plain, count: 0 });
  });
});

describe("an environment file's lines joined on one line (echo $(grep -h = .env), cat <(grep = .env), grep -h = .env | xargs): every pair's value", () => {
  const { redactOutput } = createRedactor();
  const stripe = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const openai = "Hx9kQ2pLz7wAbCdEZx8Cv7Bn6Mq5Lp4K";
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  const line = (a: string, b: string, c: string) => `STRIPE=${a} OPENAI=${b} NODE_ENV=production PORT=3000 DB_PASSWORD=${c} LOG_LEVEL=debug\n`;
  for (const command of ["echo $(grep -h = .env)", "cat <(grep = .env)", "grep -h = .env | xargs", "grep -v '^#' .env | xargs -0", "echo $(cat .env)"]) {
    test(command, () => expect(read(command, line(stripe, openai, "Tr0ub4dor3x"))).toBe(line("[REDACTED:secret]", "[REDACTED:secret]", "[REDACTED:secret]")));
  }
  test("kept: pairs of no secret on one line, and a search piped to a command that xargs runs", () => {
    const plain = "NODE_ENV=production PORT=3000 DATABASE_URL=postgres://localhost/app LOG_LEVEL=debug APP_NAME=shop-west-42\n";
    expect(redactOutput(plain, commandPrints("echo $(grep -h = .env)") ?? "key")).toEqual({ text: plain, count: 0 });
    expect(["grep -h = .env | xargs -I{} sh -c 'export {}'", "grep -l STRIPE -r . | xargs"].map(commandPrints)).toEqual([undefined, undefined]);
  });
});

describe("vault kv get pasted after a prompt: its Data table after the Metadata table and the blank line between them", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const output = (host: string, stripe: string, signing: string) =>
    `$ vault kv get secret/app\n====== Secret Path ======\nsecret/data/app\n\n======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2024-05-01T10:00:00.000Z\nversion            3\n\n====== Data ======\nKey         Value\n---         -----\napi_host    ${host}\nstripe      ${stripe}\nsigning     ${signing}\n`;
  const masked = output("[REDACTED:secret]", "[REDACTED:secret]", "[REDACTED:secret]");
  exactAndKept(
    [
      [`Here is what I get:\n${output("api.example.com", "live-shop-west-42", token)}\nWhy is stripe wrong?`, `Here is what I get:\n${masked}\nWhy is stripe wrong?`],
      [output("api.example.com", "live-shop-west-42", token).replaceAll("\n", "\r\n"), masked.replaceAll("\n", "\r\n")],
      // Any record pasted with CRLF line ends was read to its first line only.
      [
        '$ az keyvault secret show --vault-name v --name db\r\n{\r\n  "name": "db",\r\n  "value": "Vq7kM2xP9s!r"\r\n}\r\n',
        '$ az keyvault secret show --vault-name v --name db\r\n{\r\n  "name": "db",\r\n  "value": "[REDACTED:secret]"\r\n}\r\n',
      ],
    ],
    [],
  );
});

describe("vault kv get's Data table pasted with no command before it (\"I ran vault kv get and got: …\"): every value, whatever its shape", () => {
  const data = (apiKey: string, stripe: string, host: string) => `====== Data ======\nKey        Value\n---        -----\napi_key    ${apiKey}\nstripe     ${stripe}\nhost       ${host}\n`;
  const masked = data("[REDACTED:secret]", "[REDACTED:secret]", "[REDACTED:secret]");
  exactAndKept(
    [
      [`I ran vault kv get and got:\n\n${data("correct-horse-battery", "live-shop-west", "db.internal")}\nwhy?`, `I ran vault kv get and got:\n\n${masked}\nwhy?`],
      [`======= Metadata =======\nKey                Value\n---                -----\nversion            3\n\n${data("correct-horse-battery", "live-shop-west", "db.internal")}`, `======= Metadata =======\nKey                Value\n---                -----\nversion            3\n\n${masked}`],
      [`     1→${data("correct-horse-battery", "live-shop-west", "db.internal").replaceAll("\n", "\n     1→")}`, `     1→${masked.replaceAll("\n", "\n     1→")}`],
    ],
    [
      ["the Metadata table alone", "======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2024-05-01T10:00:00.000Z\nversion            3\n"],
      ["a heading named Data over prose, and a heading in a line of text", "====== Data ======\nThe data section lists each key and its value.\nSee the docs: ====== Data ======\nKey  Value\n---  -----\nmode  fast\n"],
    ],
  );
});

describe("a search of environment files pasted with its command ($ grep STRIPE .env, $ grep -rn STRIPE .): the files' lines below it", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`$ grep STRIPE .env\nSTRIPE=${token}\n`, "$ grep STRIPE .env\nSTRIPE=[REDACTED:secret]\n"],
      [`me@box:~/app$ grep -rn STRIPE .\n./.env.local:3:STRIPE=${token}\n$ echo done\n`, "me@box:~/app$ grep -rn STRIPE .\n./.env.local:3:STRIPE=[REDACTED:secret]\n$ echo done\n"],
    ],
    [],
  );
});

describe("a word-like value under a provider's name alone in an environment's listing (heroku config -s' STRIPE='correcthorse')", () => {
  const { redactOutput } = createRedactor();
  const read = (command: string, output: string) => redactOutput(output, commandPrints(command) ?? "key").text;
  test("a listing's line, quoted or not, and a JSON object's entry, on many lines or one", () => {
    expect(read("heroku config -s -a shop", "STRIPE='correcthorse'\nNODE_ENV='production'\n")).toBe("STRIPE='[REDACTED:secret]'\nNODE_ENV='production'\n");
    expect(read("netlify env:list --json", '{"STRIPE": "correcthorse", "NODE_ENV": "production"}\n')).toBe('{"STRIPE": "[REDACTED:secret]", "NODE_ENV": "production"}\n');
    expect(read("netlify env:list --json", '{\n  "SENDGRID": "correct horse battery",\n  "PORT": "3000"\n}\n')).toBe('{\n  "SENDGRID": "[REDACTED:secret]",\n  "PORT": "3000"\n}\n');
    expect(read("railway variables --kv", "TWILIO=correcthorse42\nPORT=3000\n")).toBe("TWILIO=[REDACTED:secret]\nPORT=3000\n");
    expect(read("printenv | grep -i stripe", "STRIPE=correcthorse42\n")).toBe("STRIPE=[REDACTED:secret]\n");
    expect(read("cat .dev.vars", "OPENAI=correcthorse42 # dev\nANTHROPIC: correcthorse\n")).toBe("OPENAI=[REDACTED:secret] # dev\nANTHROPIC: [REDACTED:secret]\n");
  });
  test("the providers' names are distinct lowercase identifiers (rules/providers.json, joined into a pattern)", () => {
    expect(PROVIDER_NAMES.every((name) => /^[a-z][a-z0-9]*$/.test(name))).toBe(true);
    expect(new Set(PROVIDER_NAMES).size).toBe(PROVIDER_NAMES.length);
  });
  test("one variable printed by a provider's name (fly ssh console -C 'printenv STRIPE', echo $STRIPE)", () => {
    expect(read("fly ssh console -C 'printenv STRIPE'", "correcthorse42\n")).toBe("[REDACTED:secret]\n");
    expect(read("echo $STRIPE", "correcthorse\n")).toBe("[REDACTED:secret]\n");
  });
  exactAndKept(
    [
      ["$ heroku config -s\nSTRIPE='correcthorse'\nNODE_ENV='production'\n", "$ heroku config -s\nSTRIPE='[REDACTED:secret]'\nNODE_ENV='production'\n"],
      ["$ printenv STRIPE\ncorrecthorse42\n", "$ printenv STRIPE\n[REDACTED:secret]\n"],
    ],
    [["a listing of no provider's name alone", "$ heroku config -s\nSTRIPE_MODE='production'\nNODE_ENV='production'\n"]],
  );
});

// upstash/cli's own output (src/commands/redis/list.ts): a table of fields per database, or their JSON with --json.
describe("upstash redis list's fields of each database (password, rest_token, read_only_rest_token): each value whole, whatever its shape", () => {
  const { redactOutput } = createRedactor();
  const database = (name: string, password: string, rest: string, readOnly: string) =>
    `\n\n${name}\n\ndatabase_id          6b8f2c1e-9a7d-4e3b-8c21-5f0e4d3a2b19\ndatabase_name        ${name}\nregion               global\nport                 6379\nstate                active\npassword             ${password}\nendpoint             us1-able-cat-1234.upstash.io\ntls                  true\nrest_token           ${rest}\nread_only_rest_token ${readOnly}\n\n`;
  const table = database("token-cache", "correct horse battery", "AX4gASQgZmI5NmE4YjItYzE3Ny00", "correct horse staple") + database("sessions", "hunter2", "correct horse", "x y");
  const masked = database("token-cache", "[REDACTED:secret]", "[REDACTED:secret]", "[REDACTED:secret]") + database("sessions", "[REDACTED:secret]", "[REDACTED:secret]", "[REDACTED:secret]");
  const json = '[\n  {\n    "database_id": "6b8f2c1e-9a7d-4e3b-8c21-5f0e4d3a2b19",\n    "database_name": "sessions",\n    "password": "hunter2",\n    "rest_token": "correct horse",\n    "read_only_rest_token": "correct horse staple"\n  }\n]\n';
  const jsonMasked = json.replace("hunter2", "[REDACTED:secret]").replace('"correct horse"', '"[REDACTED:secret]"').replace("correct horse staple", "[REDACTED:secret]");
  test("as the command's result", () => {
    expect(redactOutput(table, commandPrints("upstash redis list") ?? "key").text).toBe(masked);
    expect(redactOutput(json, commandPrints("upstash redis list --json") ?? "key").text).toBe(jsonMasked);
    // One database's, as get, create and reset-password print it.
    const one = json.slice(json.indexOf("{"), json.lastIndexOf("}") + 1).replace(/^  /gm, "");
    const oneMasked = jsonMasked.slice(jsonMasked.indexOf("{"), jsonMasked.lastIndexOf("}") + 1).replace(/^  /gm, "");
    for (const command of ["upstash redis get 6b8f2c1e", "upstash redis reset-password 6b8f2c1e", "upstash redis create --name sessions --region us-east-1"]) {
      expect(redactOutput(one, commandPrints(command) ?? "key").text).toBe(oneMasked);
    }
  });
  exactAndKept(
    [
      [`$ upstash redis list\n${table}$ ls\n`, `$ upstash redis list\n${masked}$ ls\n`],
      [`$ upstash redis list --json\n${json}$ ls\n`, `$ upstash redis list --json\n${jsonMasked}$ ls\n`],
    ],
    [["another command's fields", "$ redis-cli info keyspace\ndatabase_id  3\npassword  is set in the dashboard\n"]],
  );
});

describe("a remote environment printed, pasted with its command (ssh box env, fly ssh console -C printenv, gcloud compute ssh --command env, sudo env)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const commands = ["ssh deploy@box env", "fly ssh console -C 'printenv'", "flyctl ssh console -a shop -C env", "gcloud compute ssh vm --command env", "sudo env"];
  exactAndKept(
    commands.map((command) => [`$ ${command}\nFOO=${token}\nSTRIPE=correcthorse42\nHOME=/root\n`, `$ ${command}\nFOO=[REDACTED:secret]\nSTRIPE=[REDACTED:secret]\nHOME=/root\n`]),
    [["a remote command that prints no environment", `$ ssh deploy@box 'tail -2 app.log'\nSTRIPE=correcthorse42 loaded\n$ fly ssh console -C 'ls /app'\nenv.example\n$ sudo systemctl status app\nActive: active (running)\n`]],
  );
});

describe("a word-like value under a provider's name alone in an environment's tables (PowerShell's gci env:, railway variables' box)", () => {
  const { redactOutput } = createRedactor();
  const table = "Name                           Value\n----                           -----\nSTRIPE                         correcthorse42\nPATH                           C:\\Windows\nVERCEL                         1\n";
  test("PowerShell's Name and Value table as the command's result", () =>
    expect(redactOutput(table, commandPrints("gci env:") ?? "key").text).toBe(table.replace("correcthorse42", "[REDACTED:secret]")));
  const box = "╔═══════ Variables for shop ═══════╗\n║ STRIPE      │ correcthorse42     ║\n║─────────────────────────────────║\n║ PORT        │ 3000               ║\n║─────────────────────────────────║\n║ NODE_ENV    │ production         ║\n╚═════════════════════════════════╝\n";
  exactAndKept(
    [[box, box.replace("correcthorse42", "[REDACTED:secret]")]],
    [["a box of no provider's name alone", box.replace("STRIPE     ", "STRIPE_MODE")]],
  );
});

describe("an environment's listing pasted after other commands on its command line or a wrapper, and pm2's (cd app && cat .env, source .env && env, time env, pm2 env 0)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`$ cd app && cat .env\nFOO=${token}\nSTRIPE=correcthorse42\n`, "$ cd app && cat .env\nFOO=[REDACTED:secret]\nSTRIPE=[REDACTED:secret]\n"],
      ["me@box:~$ cd ~/shop; cd api && heroku config -s\nSTRIPE='correcthorse'\n", "me@box:~$ cd ~/shop; cd api && heroku config -s\nSTRIPE='[REDACTED:secret]'\n"],
      [`$ source .env && env\nFOO=${token}\n`, "$ source .env && env\nFOO=[REDACTED:secret]\n"],
      ["$ git pull && cat .env\nAlready up to date.\nSTRIPE=correcthorse42\n", "$ git pull && cat .env\nAlready up to date.\nSTRIPE=[REDACTED:secret]\n"],
      [`$ pm2 env 0\nFOO: ${token}\nSTRIPE: correcthorse42\nPORT: 3000\n`, "$ pm2 env 0\nFOO: [REDACTED:secret]\nSTRIPE: [REDACTED:secret]\nPORT: 3000\n"],
      // After a command that runs the one after it: the listing is env's.
      [`$ time env\nFOO=${token}\nSTRIPE=correcthorse42\n\nreal\t0m0.001s\n`, "$ time env\nFOO=[REDACTED:secret]\nSTRIPE=[REDACTED:secret]\n\nreal\t0m0.001s\n"],
      [`$ cd app && sudo -E env\nFOO=${token}\n`, "$ cd app && sudo -E env\nFOO=[REDACTED:secret]\n"],
      [`$ env -i PATH=/usr/bin env\nPATH=/usr/bin\nFOO=${token}\n`, "$ env -i PATH=/usr/bin env\nPATH=/usr/bin\nFOO=[REDACTED:secret]\n"],
    ],
    [
      ["a cd before a command that prints no environment", "$ cd app && cat README.md\nSTRIPE=correcthorse42 is set in the dashboard\n$ cd app && ls\nSTRIPE=correcthorse42\n$ pm2 ls\nSTRIPE: correcthorse42 online\n"],
      ["steps before a command that prints no environment", "$ make build && git status\nSTRIPE=correcthorse42 changed\n"],
      ["a wrapper before a command that prints no environment", "$ time make build\nSTRIPE=correcthorse42 changed\n$ nohup ./serve.sh\nSTRIPE=correcthorse42\n"],
    ],
  );
});

describe("an opaque token set as a variable on a command line, whatever its name (env -i FOO=… env, X=… ./run.sh, export VALUE=…)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const base64 = "wJ/alrXUtnFEMI+K7MDENGbPxRfiCYzQ2x9Lp4K";
  exactAndKept(
    [
      [`env -i FOO=${token} env`, "env -i FOO=[REDACTED:secret] env"],
      [`env FOO=${token} node app.js`, "env FOO=[REDACTED:secret] node app.js"],
      [`X=${token} ./run.sh --verbose`, "X=[REDACTED:secret] ./run.sh --verbose"],
      [`cd app && LANG=C VALUE="${token}" npm start`, 'cd app && LANG=C VALUE="[REDACTED:secret]" npm start'],
      [`$ sudo -u deploy FOO=${token} ./deploy.sh`, "$ sudo -u deploy FOO=[REDACTED:secret] ./deploy.sh"],
      [`export VALUE=${token}\ncurl -H "X-Key: $VALUE" https://api.acme.io`, 'export VALUE=[REDACTED:secret]\ncurl -H "X-Key: $VALUE" https://api.acme.io'],
      [`bash -c 'X=${token} node seed.js'`, "bash -c 'X=[REDACTED:secret] node seed.js'"],
      [`timeout 30 K=${base64} aws s3 ls`, "timeout 30 K=[REDACTED:secret] aws s3 ls"],
      [`X=${token}; curl -H "X-Key: $X" https://api.acme.io`, 'X=[REDACTED:secret]; curl -H "X-Key: $X" https://api.acme.io'],
    ],
    [
      [
        "settings, paths, hashes, ids and names set for a command",
        "FOO=1 LANG=C NODE_ENV=production PATH=/usr/local/bin:/usr/bin GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 BUILD=20261207120000123456 make\n" +
          "env -i HOME=/tmp/h PROJECT=stellar-day-254222 ID=3f9a1c7e-2b4d-4e8f-9a6c-1d2e3f4a5b6c NAME=ProductionDatabaseReplica2 env\n" +
          "export CFLAGS=-O2 TOKEN=$(cat ~/.token) KEY=${API_KEY} ALPHABET=abcdefghijklmnopqrstuvwxyz0123456789",
      ],
      ["a variable alone on its line (an environment file's, by its listing's rules), in a string, a command's array", `STRIPE=${token}\n"X=${token}"\n"Cmd": ["A=1","X=${token}"]`],
      ["a variable given to make, a query's and code's assignments", `make deploy X=${token}\ncurl 'https://a.io/x?next=${token}'\nconst x=f(a),y=${token.slice(0, 8)}`],
    ],
  );
});

describe("a secret store's whole environment printed (chamber export, dotenvx get, doppler secrets download --no-file): its opaque tokens under any name, JSON on one line too", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const json = (foo: string) => `{"FOO":"${foo}","NODE_ENV":"production","GIT_SHA":"8f14e45fceea167a5a36dedd4bea2543"}\n`;
  test("read as an environment's listing", () => {
    expect(["chamber export app", "chamber export --format dotenv app", "npx dotenvx get", "dotenvx get -f .env.production", "doppler secrets download --no-file"].map(commandPrints)).toEqual(["env", "env", "env", "env", "env"]);
    expect(["chamber export -o secrets.json app", "doppler secrets download"].map(commandPrints)).toEqual([undefined, undefined]);
  });
  for (const command of ["chamber export app", "npx dotenvx get", "doppler secrets download --no-file"]) {
    test(`${command}: as its result and pasted`, () => {
      expect(redactOutput(json(token), commandPrints(command) ?? "key").text).toBe(json("[REDACTED:secret]"));
      expect(redact(`$ ${command}\n${json(token)}`).text).toBe(`$ ${command}\n${json("[REDACTED:secret]")}`);
    });
  }
  test("kept: a JSON object of settings on one line in an environment's listing", () => {
    const settings = '{"NODE_ENV":"production","APP":"ProductionDatabaseReplica2","GIT_SHA":"8f14e45fceea167a5a36dedd4bea2543","URL":"https://api.acme.io/v1"}\n';
    expect(redactOutput(settings, "env")).toEqual({ text: settings, count: 0 });
  });
});

describe("an opaque token set as a variable by a tool, a service manager or another shell, or given as a chart's, a plan's or a playbook's value, whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const cases: [string, string][] = [
    ["cross-env FOO=", "node app.js"],
    ["npx cross-env FOO=", "node app.js"],
    ["pnpm exec cross-env FOO=", "node app.js"],
    ["dotenv -e .env -v FOO=", "-- node app.js"],
    ["xargs -I{} env FOO=", "{}"],
    ["ssh -p 2222 deploy@box 'FOO=", "./run.sh'"],
    ["{ X=", "./run.sh; }"],
    ["systemctl --user set-environment FOO=", ""],
    ["set FOO=", ""],
    ["doppler secrets set FOO=", ""],
    ["doppler secrets set FOO ", ""],
    ["dotenvx set FOO ", ""],
    ["launchctl setenv FOO ", ""],
    ["setx FOO ", ""],
    ["set -gx FOO ", ""],
    ["$env:FOO = ", ""],
    ["helm upgrade api ./chart --set image.tag=v1.2.3 --set foo=", ""],
    ["terraform apply -var foo=", "-auto-approve"],
    ["ansible-playbook site.yml -e foo=", ""],
  ];
  exactAndKept(
    cases.map(([before, after]) => [`${before}${token} ${after}`.trimEnd(), `${before}[REDACTED:secret] ${after}`.trimEnd()]),
    [
      [
        "settings set the same ways, a shell's options, a block's and a list's braces",
        "cross-env NODE_ENV=production node app.js\nset FOO=1\nset -x\nmake build\nset -gx PATH /usr/local/bin $PATH\nsetx JAVA_HOME C:\\jdk\n" +
          '$env:Path = "C:\\Tools;$env:Path"\nhelm upgrade api ./chart --set image.tag=v1.2.3 --set replicas=3\nterraform apply -var region=eu-west-1\nlaunchctl setenv GIT_SHA 8f14e45fceea167a5a36dedd4bea2543\nfind . -name x | xargs -I{} cp {} /tmp',
      ],
    ],
  );
});

describe("an environment file's diff (git diff .env, git log -p -- .env): its added and removed lines' opaque tokens under any name", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const old = "Hx9kQ2pLz7wAbCdEZx8Cv7Bn6Mq5Lp4K";
  const diff = (a: string, b: string) => `diff --git a/.env b/.env\n--- a/.env\n+++ b/.env\n@@ -1,3 +1,3 @@\n NODE_ENV=production\n-FOO=${a}\n+FOO=${b}\n+GIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n`;
  test("read as the file's lines", () => {
    expect(["git diff .env", "git diff --cached .env.local", "git log -p -- .env", "git show HEAD~1 -- .env.production"].map(commandPrints)).toEqual(["env", "env", "env", "env"]);
    expect(["git diff", "git diff src/app.ts", "git log -p -- README.md"].map(commandPrints)).toEqual([undefined, undefined, undefined]);
  });
  test("as a Bash call's result and pasted", () => {
    expect(redactOutput(diff(old, token), commandPrints("git diff .env") ?? "key").text).toBe(diff("[REDACTED:secret]", "[REDACTED:secret]"));
    expect(redact(`$ git diff .env\n${diff(old, token)}`).text).toBe(`$ git diff .env\n${diff("[REDACTED:secret]", "[REDACTED:secret]")}`);
  });
  test("kept: a diff of code, and a listing's own lines that start with a sign", () => {
    const code = `diff --git a/app.ts b/app.ts\n-const FOO = "${token}";\n+const FOO = process.env.FOO;\n`;
    expect(redactOutput(code, "env").text).toContain("process.env.FOO");
    expect(redactOutput("-NODE_ENV=production\n+LOG_LEVEL=debug\n", "env").count).toBe(0);
  });
});

describe("a variable set on a command line as history lists it (  501  export FOO=…): after its number", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [[`  501  export FOO=${token}\n  502  FOO=${token} ./deploy.sh\n`, "  501  export FOO=[REDACTED:secret]\n  502  FOO=[REDACTED:secret] ./deploy.sh\n"]],
    [["settings, and a numbered list's line of a variable alone", `  503  export NODE_ENV=production\n  504  LANG=C make\n1 FOO=${token}\n`]],
  );
});

describe("an MCP server's headers in Claude Code's config (~/.claude.json, .mcp.json) and a header given on a command line (claude mcp add --header, curl -H, wget --header): an opaque token under any header's name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const config = (value: string) => JSON.stringify({ mcpServers: { acme: { type: "http", url: "https://mcp.acme.io/mcp", headers: { "X-Custom": value, "X-Team": "platform" } } } }, null, 2);
  // A request's or a trace's id drawn at random opens nothing: it stays beside the credentials that go.
  const id = "req_8Xk2pLm9Qr4vT7wZ1yB3nC6dF";
  const ids = (key: string, authorization: string) =>
    JSON.stringify({ mcpServers: { acme: { type: "http", url: "https://mcp.acme.io/mcp", headers: { "X-Request-Id": id, "X-Correlation-Id": "Zq3xY7pL2mN8vB4kR6tWa", "X-B3-SpanId": "Zq3xY7pL2mN8vB4kR6tWa", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "Mcp-Session-Id": key, "X-Api-Key": key, Authorization: authorization } } } }, null, 2);
  exactAndKept(
    [
      [config(token), config("[REDACTED:secret]")],
      [`claude mcp add --transport http acme https://mcp.acme.io --header "X-Custom: ${token}"`, 'claude mcp add --transport http acme https://mcp.acme.io --header "X-Custom: [REDACTED:secret]"'],
      [`curl -H "X-Custom: ${token}" -H "Accept: application/json" https://api.acme.io`, 'curl -H "X-Custom: [REDACTED:secret]" -H "Accept: application/json" https://api.acme.io'],
      [`wget --header="X-Custom: ${token}" https://api.acme.io`, 'wget --header="X-Custom: [REDACTED:secret]" https://api.acme.io'],
      [ids(token, `Bearer ${token}`), ids("[REDACTED:secret]", "Bearer [REDACTED:authorization]")],
      [
        `claude mcp add --transport http acme https://mcp.acme.io --header "X-Request-Id: ${id}" --header "X-Correlation-ID: ${id}" --header "X-Api-Key: ${token}"`,
        `claude mcp add --transport http acme https://mcp.acme.io --header "X-Request-Id: ${id}" --header "X-Correlation-ID: ${id}" --header "X-Api-Key: [REDACTED:secret]"`,
      ],
    ],
    [["a request's and a trace's ids on a command line", `curl -H "X-Trace-Id: Zq3xY7pL2mN8vB4kR6tWa" -H "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793" -H 'Request-Id: ${id}' https://api.acme.io`],
     ["headers on a command line of words, a UUID, a version", 'curl -H "X-Request-Id: 3f9a1c7e-2b4d-4e8f-9a6c-1d2e3f4a5b6c" -H "User-Agent: Mozilla/5.0" -H "X-Api-Version: 2024-06-20" -H \'If-None-Match: W/"5e1f"\' https://api.acme.io'],
     ["headers of words, a UUID, a user agent, a version", '"headers": {\n  "Content-Type": "application/json",\n  "X-Request-Id": "3f9a1c7e-2b4d-4e8f-9a6c-1d2e3f4a5b6c",\n  "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",\n  "X-Api-Version": "2024-06-20"\n}']],
  );
});

describe("a text that is base64 of text holding a secret (base64 .env, base64 -w0 .env, an encoded key's JSON): all of it", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const wrapped = (text: string) => b64(text).replace(/(.{76})/g, "$1\n");
  exactAndKept(
    [
      [b64(`FOO=${token}\nNODE_ENV=production\n`), "[REDACTED:secret]"],
      [`${wrapped(`NODE_ENV=production\nDB_PASSWORD=hunter2xyz\nLOG_LEVEL=debug\nAPP_NAME=shop\n`)}\n`, "[REDACTED:secret]\n"],
      [b64(`{"client_id": "7640.apps.googleusercontent.com", "refresh_token": "1//0g${token}", "type": "authorized_user"}`), "[REDACTED:secret]"],
    ],
    [
      ["text, settings and JSON of no secret, encoded", `${b64("Hello, World! This is plain text.\n")}\n${b64("NODE_ENV=production\nLOG_LEVEL=debug\n")}`],
      ["settings encoded", b64("NODE_ENV=production\nLOG_LEVEL=debug\n")],
      ["a package's JSON encoded", b64('{"name": "shop", "version": "1.2.3", "id": "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pL"}')],
    ],
  );
});

describe("a config file of secrets named as its tool names it (Azure Functions' local.settings.json, helm-secrets' values.secret.yaml): its opaque tokens under any name", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  test("read as an environment file", () => {
    expect(["/app/local.settings.json", "charts/api/values.secret.yaml", "k8s/secret.yaml"].map(filePrints)).toEqual(["env", "env", "env"]);
    expect(["/app/settings.json", "local.settings.json.example", "secretary.yaml", ".github/secret-scanning.yml"].map(filePrints)).toEqual([undefined, undefined, undefined, undefined]);
  });
  test("its values as Read shows them", () => {
    const settings = (foo: string) => `{\n  "IsEncrypted": false,\n  "Values": {\n    "FUNCTIONS_WORKER_RUNTIME": "node",\n    "FOO": "${foo}"\n  }\n}\n`;
    expect(redactOutput(settings(token), filePrints("local.settings.json") ?? "key").text).toBe(settings("[REDACTED:secret]"));
    expect(redactOutput(`api:\n  foo: ${token}\n  replicas: 3\n`, filePrints("values.secret.yaml") ?? "key").text).toBe("api:\n  foo: [REDACTED:secret]\n  replicas: 3\n");
  });
});

describe("a key or a password told in prose with where it came from (the webhook secret from stripe is …, the token they sent me is …)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`the webhook secret from stripe is ${token}`, "the webhook secret from stripe is [REDACTED:secret]"],
      [`the token from the dashboard is ${token}`, "the token from the dashboard is [REDACTED:secret]"],
      [`the access token they sent me is ${token}`, "the access token they sent me is [REDACTED:secret]"],
      ["the password from the email is Tr0ub4dor&3x", "the password from the email is [REDACTED:password]"],
    ],
    [["where it came from, then prose", "the key from the docs is an example value\nthe token from the previous step is stored in memory\nthe secret from vault is rotated daily"]],
  );
});

describe("1Password's session token printed by op signin --raw, pasted below its command", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE_fG-hI9jK1l";
  test("read as printing a secret", () => expect(["op signin --raw", "op signin --account my --raw", "op signin"].map(commandPrints)).toEqual(["any", "any", undefined]));
  exactAndKept([[`$ op signin --raw\n${token}\n$ ls\n`, "$ op signin --raw\n[REDACTED:secret]\n$ ls\n"]], [["op signin's prompt, and the word below another command", "$ op signin\nEnter the password for a@b.c at my.1password.com:\n$ op whoami\nURL: https://my.1password.com\n"]]);
});

describe("an opaque token set into a program's environment in its code, whatever its name (process.env.FOO = …, os.environ['FOO'] = …, ENV[…], os.Setenv)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`node -e "process.env.FOO='${token}'; require('./deploy')"`, `node -e "process.env.FOO='[REDACTED:secret]'; require('./deploy')"`],
      [`python -c "import os; os.environ['FOO']='${token}'"`, `python -c "import os; os.environ['FOO']='[REDACTED:secret]'"`],
      [`process.env["FOO"] = \`${token}\`;`, "process.env[\"FOO\"] = `[REDACTED:secret]`;"],
      [`ENV["FOO"] = "${token}"`, 'ENV["FOO"] = "[REDACTED:secret]"'],
      [`os.Setenv("FOO", "${token}")`, 'os.Setenv("FOO", "[REDACTED:secret]")'],
    ],
    [["settings, a comparison, a value read, a hash, a template", `process.env.NODE_ENV = "production"; if (process.env.FOO === "${token}") {}\nos.environ['X'] = os.environ.get('Y', 'abc')\nprocess.env.GIT_SHA = "8f14e45fceea167a5a36dedd4bea2543"; process.env.ID = \`\${prefix}-${token}\``]],
  );
});

describe("a literal or a variable given to a flag under a name that says nothing of a secret (kubectl create configmap --from-literal foo=…, --env FOO=…, --settings FOO=…)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`kubectl create configmap app --from-literal=foo=${token}`, "kubectl create configmap app --from-literal=foo=[REDACTED:secret]"],
      [`kubectl create configmap app --from-literal foo=${token} --from-literal=mode=prod`, "kubectl create configmap app --from-literal foo=[REDACTED:secret] --from-literal=mode=prod"],
      [`oc create cm app --from-literal='foo=${token}'`, "oc create cm app --from-literal='foo=[REDACTED:secret]'"],
      [`kubectl run app --image=nginx --env=FOO=${token}`, "kubectl run app --image=nginx --env=FOO=[REDACTED:secret]"],
      [`docker service create --env FOO="${token}" nginx`, 'docker service create --env FOO="[REDACTED:secret]" nginx'],
      [`az webapp config appsettings set -g rg -n app --settings FOO=${token}`, "az webapp config appsettings set -g rg -n app --settings FOO=[REDACTED:secret]"],
    ],
    [["settings, a commit's hash, a UUID, a variable", "kubectl create configmap cfg --from-literal=mode=debug --from-literal=sha=8f14e45fceea167a5a36dedd4bea2543 --from-literal=id=123e4567-e89b-12d3-a456-426614174000 --from-literal=key=$KEY\nkubectl run app --env=NODE_ENV=production --env LOG_LEVEL=debug\naz webapp config appsettings set --settings WEBSITE_RUN_FROM_PACKAGE=1"]],
  );
});

describe("an opaque token in a request's body a command sends, under a field's name that says nothing of a secret (curl -d '{\"foo\":\"…\"}', --json, a form's field, http POST url foo=…)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`curl -X POST https://api.example.io/v1 -H 'Content-Type: application/json' --data '{"foo":"${token}"}'`, `curl -X POST https://api.example.io/v1 -H 'Content-Type: application/json' --data '{"foo":"[REDACTED:secret]"}'`],
      [`curl -d '{"value": "${token}", "mode": "live"}' https://api.example.io`, `curl -d '{"value": "[REDACTED:secret]", "mode": "live"}' https://api.example.io`],
      [`curl --data-raw 'data=${token}&scope=read' https://api.example.io`, "curl --data-raw 'data=[REDACTED:secret]&scope=read' https://api.example.io"],
      [`curl --json '{"a":"${token}","b":"${token}x"}' https://api.example.io`, `curl --json '{"a":"[REDACTED:secret]","b":"[REDACTED:secret]"}' https://api.example.io`],
      [`curl -F foo=${token} https://api.example.io`, "curl -F foo=[REDACTED:secret] https://api.example.io"],
      [`wget --post-data 'foo=${token}' https://api.example.io`, "wget --post-data 'foo=[REDACTED:secret]' https://api.example.io"],
      [`http POST https://api.example.io/v1 foo=${token} n:=3`, "http POST https://api.example.io/v1 foo=[REDACTED:secret] n:=3"],
    ],
    [
      [
        "a model's name, words, a hash, a UUID, a file, a variable",
        `curl https://api.anthropic.com/v1/messages -d '{"model":"claude-sonnet-4-5-20250929","max_tokens":1024,"messages":[{"role":"user","content":"Hello, world"}]}'\ncurl -d 'grant_type=client_credentials&scope=read' -d '{"sha":"8f14e45fceea167a5a36dedd4bea2543","id":"123e4567-e89b-12d3-a456-426614174000"}' -F file=@./report.pdf https://x.io\ncurl -d "{\\"token\\":\\"$TOKEN\\"}" https://x.io\nhttp POST https://x.io name=ExampleProjectName path=/usr/local/lib/node_modules`,
      ],
    ],
  );
});

describe("an API's answer that is a JSON object of one field holding an opaque token, whatever the field's name ({\"value\": \"…\"} as curl's or WebFetch's result)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const kept: [string, string][] = [
    ["an id", `{"id":"${token}"}`],
    ["a request's id, camel case", `{"requestId": "${token}"}`],
    ["a typed request id", '{"request_id":"req_011CVa8mPq2ZxLk9TnW4bR7Y"}'],
    ["an etag", `{"etag":"${token}"}`],
    ["a commit's hash", '{"sha":"8f14e45fceea167a5a36dedd4bea2543a1b2c3d4"}'],
    ["a UUID", '{"value":"123e4567-e89b-12d3-a456-426614174000"}'],
    ["a page's token", `{"data": {"nextPageToken": "${token}"}}`],
    ["an image in base64", '{"image":"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}'],
    ["a message", '{"message":"Hello world, the key was rotated"}'],
    ["a name of words", '{"name":"ExampleProjectName"}'],
    ["two objects", `{"value":"${token}"} {"b":"c"}`],
  ];
  exactAndKept(
    [
      [`{"value":"${token}"}`, '{"value":"[REDACTED:secret]"}'],
      [`{\n  "value": "${token}"\n}\n`, '{\n  "value": "[REDACTED:secret]"\n}\n'],
      [`{"data": {"foo": "${token}"}}`, '{"data": {"foo": "[REDACTED:secret]"}}'],
    ],
    kept,
  );
  test("as a WebFetch's result in a message's content", () => {
    const { value } = createRedactor().redactValue({ type: "tool_result", tool_use_id: "toolu_1", content: `{"data":"${token}"}` });
    expect(value.content).toBe('{"data":"[REDACTED:secret]"}');
  });
});

describe("a process's environment printed after its command line by ps e (ps auxeww, ps e -p …), as a Bash call's result and pasted after $", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const { redactOutput } = createRedactor();
  const line = (foo: string) => `app  1234  0.5  1.2 123456 65432 ?  Sl  10:00  0:01 node server.js --port 3000 PATH=/usr/bin FOO=${foo} GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 HOME=/home/app`;
  test("read as printing each process's environment", () =>
    expect(["ps auxeww | grep node", "ps e -p 1234", "sudo ps eww 1234", "ps -p 1234 -o pid,args e", "ps -e", "ps -ef | grep node", "ps aux", "ps -o user -p 1"].map(commandPrints)).toEqual([
      "process-env",
      "process-env",
      "process-env",
      "process-env",
      undefined,
      undefined,
      undefined,
      undefined,
    ]));
  test("after a command that runs it, as env's dump", () =>
    expect(["time ps auxeww", "kubectl exec app -- ps eww 1", "nice -n 5 ps e"].map(commandPrints)).toEqual(["process-env", "process-env", "process-env"]));
  test("ps's other spellings of it: e after dashed options that take no value, among BSD's letters, before an option's value", () => {
    const printing = ["ps -A e", "ps -e e", "ps -Aww e", "ps -ef e", "ps --forest e", "ps axe", "ps axeo pid,args", "ps eo pid,args -p 1", "ps -p1234 e", "ps --pid=1234 e", "ps -eo pid,args e", "ps p 1234 e", "ps 1234 e", "ps gxe"];
    expect(printing.map(commandPrints)).toEqual(printing.map(() => "process-env"));
    const not = ["ps -ef", "ps aux", "ps -A", "ps -eo pid,args", "ps axo pid,comm", "ps -u e", "ps --user e", "ps -C e", "ps o e", "ps -ouser e1"];
    expect(not.map(commandPrints)).toEqual(not.map(() => undefined));
  });
  test("its opaque tokens go, its settings and hashes stay", () => {
    expect(redactOutput(`USER  PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n${line(token)}\n`, "process-env").text).toBe(`USER  PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND\n${line("[REDACTED:secret]")}\n`);
    expect(redactOutput(`${line("production")}\n`, "process-env")).toEqual({ text: `${line("production")}\n`, count: 0 });
  });
  exactAndKept([[`why?\n$ ps auxeww | grep node\n${line(token)}\n$ ls\n`, `why?\n$ ps auxeww | grep node\n${line("[REDACTED:secret]")}\n$ ls\n`], [`$ ps -A e | grep node\n${line(token)}\n`, `$ ps -A e | grep node\n${line("[REDACTED:secret]")}\n`]], [["another ps's lines", `$ ps aux | grep node\n${line(token).replace(" FOO=", " --foo=")}\n`]]);
});

describe("firebase functions:config:get's JSON: every value it holds is a secret whatever its key, as a Bash call's result and pasted after $", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const { redactOutput } = createRedactor();
  const config = (a: string, b: string, c: string) => `{\n  "stripe": {\n    "mode": "${a}"\n  },\n  "app": {\n    "foo": "${b}",\n    "db": {\n      "pw": "${c}"\n    }\n  }\n}\n`;
  const R = "[REDACTED:secret]";
  test("read as printing a project's config", () =>
    expect(["firebase functions:config:get", "npx firebase functions:config:get app > .runtimeconfig.json", "firebase functions:config:set app.foo=x", "firebase deploy"].map(commandPrints)).toEqual(["config-json", "config-json", undefined, undefined]));
  test("its values go, nested, whatever their shape", () => {
    expect(redactOutput(config("live", token, "Fb7xk2Lmq9"), "config-json").text).toBe(config(R, R, R));
    expect(redactOutput(`"${token}"\n`, commandPrints("firebase functions:config:get app.foo") ?? "any").text).toBe(`"${R}"\n`);
  });
  exactAndKept([[`$ firebase functions:config:get\n${config("live", token, "Fb7xk2Lmq9")}$ ls\n`, `$ firebase functions:config:get\n${config(R, R, R)}$ ls\n`]], [["another command's JSON", `$ firebase projects:list --json\n{\n  "status": "success",\n  "result": [{"projectId": "shop-prod", "displayName": "Shop"}]\n}\n`]]);
});

describe("a file's base64 pasted below the command that encoded it, among other lines ($ base64 -w0 .env, then its output, then more)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const env = b64(`FOO=${token}\nNODE_ENV=production\n`);
  const wrapped = (b64(`FOO=${token}\nNODE_ENV=production\nDB_HOST=db.internal\nLOG_LEVEL=debug\n`).match(/.{1,76}/g) as string[]).join("\n");
  const oauth = b64(JSON.stringify({ installed: { client_id: "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com", refresh_token: `1//0g${token}` } }));
  const R = "[REDACTED:secret]";
  exactAndKept(
    [
      [`why does CI fail?\n$ base64 -w0 .env\n${env}\n$ echo done\ndone`, `why does CI fail?\n$ base64 -w0 .env\n${R}\n$ echo done\ndone`],
      [`me@box:~/app$ base64 .env.production\n${wrapped}\nme@box:~/app$ ls\n`, `me@box:~/app$ base64 .env.production\n${R}\nme@box:~/app$ ls\n`],
      [`$ cat .env | base64 -w 0\n${env}\n\nthen I pasted it`, `$ cat .env | base64 -w 0\n${R}\n\nthen I pasted it`],
      [`$ base64 < token.json\n${oauth}\n$ ls`, `$ base64 < token.json\n${R}\n$ ls`],
      [`$ openssl base64 -A -in .env\n${env}\n$ ls`, `$ openssl base64 -A -in .env\n${R}\n$ ls`],
      [`$ openssl enc -base64 -in .env.production -out /dev/stdout\n${wrapped}\n$ ls`, `$ openssl enc -base64 -in .env.production -out /dev/stdout\n${R}\n$ ls`],
      [`$ cd app && base64 -w0 .env\n${env}\n$ ls`, `$ cd app && base64 -w0 .env\n${R}\n$ ls`],
      [`me@box:~/app$ git pull; time base64 .env.production\n${wrapped}\n+ base64 -w0 .env\n${env}\n$ ls`, `me@box:~/app$ git pull; time base64 .env.production\n${R}\n+ base64 -w0 .env\n${R}\n$ ls`],
      [`root@box:/app# sudo -E cat .env | base64 -w 0\n${env}\n$ ls`, `root@box:/app# sudo -E cat .env | base64 -w 0\n${R}\n$ ls`],
    ],
    [
      ["a text's base64, an image's base64", `$ base64 -w0 notes.txt\n${b64("hello world, nothing secret here\n")}\n$ openssl base64 -A -in notes.txt\n${b64("hello world, nothing secret here\n")}\n$ base64 logo.png\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\n$ ls`],
    ],
  );
});

describe("an API's answer of one field holding an opaque token pasted below the request that fetched it ($ curl -s …/keys, then {\"value\": \"…\"})", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`why?\n$ curl -s https://api.example.io/v1/keys\n{"value":"${token}"}\n$ ls`, 'why?\n$ curl -s https://api.example.io/v1/keys\n{"value":"[REDACTED:secret]"}\n$ ls'],
      [`$ http https://x.io/keys\n{\n  "data": "${token}"\n}\n\nwhat is it?`, '$ http https://x.io/keys\n{\n  "data": "[REDACTED:secret]"\n}\n\nwhat is it?'],
    ],
    [
      ["an id, an answer of two fields, a request not pasted", `$ curl -s https://x.io/r\n{"id":"${token}"}\n$ curl https://x.io/k\n{"value":"${token}","next":"b"}\nsee curl https://x.io/k\n{"etag":"${token}"}`],
    ],
  );
});

describe("an opaque token given by name and value to what runs a workload, or in a body's escaped JSON (kubectl set env, gh workflow run -f, gh api -f, argo submit -p, curl -d \"{\\\"foo\\\": …}\")", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`kubectl -n prod set env deployment/app FOO=${token} LOG=debug`, "kubectl -n prod set env deployment/app FOO=[REDACTED:secret] LOG=debug"],
      [`gh workflow run deploy.yml -f foo=${token} -f env=prod`, "gh workflow run deploy.yml -f foo=[REDACTED:secret] -f env=prod"],
      [`gh api repos/a/b/dispatches -F 'foo=${token}'`, "gh api repos/a/b/dispatches -F 'foo=[REDACTED:secret]'"],
      [`argo submit wf.yaml -p foo=${token}`, "argo submit wf.yaml -p foo=[REDACTED:secret]"],
      [`curl -d "{\\"foo\\":\\"${token}\\"}" https://x.io`, 'curl -d "{\\"foo\\":\\"[REDACTED:secret]\\"}" https://x.io'],
    ],
    [["settings, a ref, a hash, a variable", `kubectl set env deployment/app NODE_ENV=production GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 KEY=$KEY\ngh workflow run deploy.yml -f ref=main -f version=1.2.3\ngh api graphql -f query='query { viewer { login } }'\nargo submit wf.yaml -p image=ghcr.io/acme/app:1.4`]],
  );
});

describe("an opaque token in a request's body of several lines (curl -d '{\\n  \"foo\": \"…\"\\n}')", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`curl https://x.io -d '{\n  "foo": "${token}"\n}'`, `curl https://x.io -d '{\n  "foo": "[REDACTED:secret]"\n}'`],
      [`$ curl -X POST https://x.io \\\n  --data-raw "{\n    \\"a\\": \\"${token}\\"\n  }"\n$ ls`, `$ curl -X POST https://x.io \\\n  --data-raw "{\n    \\"a\\": \\"[REDACTED:secret]\\"\n  }"\n$ ls`],
    ],
    [["a body of words, then prose after an apostrophe", `curl -d '{\n  "model": "claude-sonnet-4-5-20250929",\n  "messages": [{"role": "user", "content": "Hello"}]\n}' https://x.io\nI ran curl -d 'x' but it's failing\nthe build id was 8f14e45fceea167a5a36dedd4bea2543`]],
  );
});

describe("an opaque token in a request's body given as a here-document (curl -d @- <<EOF, http POST url <<EOF)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`curl -X POST https://x.io -H 'Content-Type: application/json' -d @- <<EOF\n{"foo": "${token}"}\nEOF\necho done`, `curl -X POST https://x.io -H 'Content-Type: application/json' -d @- <<EOF\n{"foo": "[REDACTED:secret]"}\nEOF\necho done`],
      [`$ http POST https://x.io <<'JSON'\n{\n  "data": "${token}"\n}\nJSON`, `$ http POST https://x.io <<'JSON'\n{\n  "data": "[REDACTED:secret]"\n}\nJSON`],
      [`$ time curl -d @- https://x.io <<EOF\n{"foo": "${token}"}\nEOF`, `$ time curl -d @- https://x.io <<EOF\n{"foo": "[REDACTED:secret]"}\nEOF`],
      [`$ cd app && curl -d @- https://api.x.io <<EOF\n{"foo": "${token}"}\nEOF`, `$ cd app && curl -d @- https://api.x.io <<EOF\n{"foo": "[REDACTED:secret]"}\nEOF`],
      [`❯ git pull; sudo -E http POST https://x.io <<'JSON'\n{"foo": "${token}"}\nJSON`, `❯ git pull; sudo -E http POST https://x.io <<'JSON'\n{"foo": "[REDACTED:secret]"}\nJSON`],
      [`+ npx xh POST https://x.io <<EOF\n{"foo": "${token}"}\nEOF`, `+ npx xh POST https://x.io <<EOF\n{"foo": "[REDACTED:secret]"}\nEOF`],
      [`curl -d @- https://x.io <<\\EOF\n{"foo": "${token}"}\nEOF`, `curl -d @- https://x.io <<\\EOF\n{"foo": "[REDACTED:secret]"}\nEOF`],
      [`$ cat <<EOF | curl -d @- https://x.io\n{"foo": "${token}"}\nEOF`, `$ cat <<EOF | curl -d @- https://x.io\n{"foo": "[REDACTED:secret]"}\nEOF`],
      [`$ cat <<'JSON' | jq -c . | http POST https://x.io\n{"foo": "${token}"}\nJSON`, `$ cat <<'JSON' | jq -c . | http POST https://x.io\n{"foo": "[REDACTED:secret]"}\nJSON`],
      [`$ cd app && curl -d @- https://x.io <<< '{"foo": "${token}", "n": 1}'`, `$ cd app && curl -d @- https://x.io <<< '{"foo": "[REDACTED:secret]", "n": 1}'`],
    ],
    [
      [
        "a body of words, a here-document into another command, the words after its end",
        `curl -d @- https://x.io <<EOF\n{"model": "claude-sonnet-4-5-20250929", "id": "123e4567-e89b-12d3-a456-426614174000"}\nEOF\ncat <<EOF > notes.txt\nthe build was ${token}\nEOF\ncurl --data-binary @- https://x.io <<E\nhello\nE\nthe id ${token} is mentioned here`,
      ],
      ["a request that reads no input, after another command's @-", `$ echo @- && curl https://x.io <<EOF\nthe build was ${token}\nEOF`],
      ["here-documents and a here-string into a request that reads no input", `$ cat <<EOF | curl https://x.io -d a=b\nthe build was ${token}\nEOF\n$ curl https://x.io <<< "the build was ${token}"`],
    ],
  );
});

describe("the whole environment printed by a one-liner (node -p process.env, python -c 'print(os.environ)', Deno.env.toObject()): an opaque token goes whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const dumps: [command: string, output: string, masked: string][] = [
    ["node -p process.env", `{\n  SHELL: '/bin/zsh',\n  STRIPE: '${token}',\n  HOME: '/Users/me'\n}`, "{\n  SHELL: '/bin/zsh',\n  STRIPE: '[REDACTED:secret]',\n  HOME: '/Users/me'\n}"],
    ['node -e "console.log(process.env)"', `{ STRIPE: '${token}', BUILD_SHA: '3fa9c2d14e' }`, "{ STRIPE: '[REDACTED:secret]', BUILD_SHA: '3fa9c2d14e' }"],
    ['python3 -c "import os; print(os.environ)"', `environ({'HOME': '/root', 'STRIPE': '${token}'})`, "environ({'HOME': '/root', 'STRIPE': '[REDACTED:secret]'})"],
    ["python -c 'import os, pprint; pprint.pprint(dict(os.environ))'", `{'HOME': '/root',\n 'STRIPE': '${token}'}`, "{'HOME': '/root',\n 'STRIPE': '[REDACTED:secret]'}"],
    ['deno eval "console.log(Deno.env.toObject())"', `{ STRIPE: "${token}" }`, '{ STRIPE: "[REDACTED:secret]" }'],
    ["bun -e 'console.log(JSON.stringify(process.env, null, 2))'", `{\n  "STRIPE": "${token}"\n}`, '{\n  "STRIPE": "[REDACTED:secret]"\n}'],
    ["ruby -e 'pp ENV.to_h'", `{"STRIPE"=>"${token}"}`, '{"STRIPE"=>"[REDACTED:secret]"}'],
    ["node --env-file=.env -p process.env", `{ STRIPE: '${token}' }`, "{ STRIPE: '[REDACTED:secret]' }"],
    ["node -r dotenv/config --print process.env", `{ STRIPE: '${token}' }`, "{ STRIPE: '[REDACTED:secret]' }"],
    ["bun --env-file=.env.local -e 'console.log(process.env)'", `{ STRIPE: "${token}" }`, '{ STRIPE: "[REDACTED:secret]" }'],
    ["python3 -c 'import os; print(os.environ.copy())'", `{'STRIPE': '${token}'}`, "{'STRIPE': '[REDACTED:secret]'}"],
    ["python3 -c 'import os; [print(f\"{k}={v}\") for k, v in sorted(os.environ.items())]'", `HOME=/root\nSTRIPE=${token}`, "HOME=/root\nSTRIPE=[REDACTED:secret]"],
    ["node -e 'Object.entries(process.env).forEach(([k, v]) => console.log(`${k}=${v}`))'", `HOME=/root\nSTRIPE=${token}`, "HOME=/root\nSTRIPE=[REDACTED:secret]"],
    ["perl -e 'print \"$_=$ENV{$_}\\n\" for sort keys %ENV'", `HOME=/root\nSTRIPE=${token}`, "HOME=/root\nSTRIPE=[REDACTED:secret]"],
    ["node -e 'console.dir(process.env)'", `{ STRIPE: '${token}' }`, "{ STRIPE: '[REDACTED:secret]' }"],
    ["node -e 'process.stdout.write(JSON.stringify(process.env))'", `{"STRIPE":"${token}"}`, '{"STRIPE":"[REDACTED:secret]"}'],
  ];
  printedAndPasted(dumps);
  test("kept: one variable, the names alone, code that prints nothing, a one-liner echoed", () =>
    expect(["node -p process.env.HOME", "node -p 'Object.keys(process.env)'", "python -c \"import os; print(os.environ['HOME'])\"", "node -e 'const e = process.env'", 'echo "node -p process.env"'].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined, undefined]));
  exactAndKept([], [["a value of words or a path under a one-liner's environment", `$ node -p process.env\n{ GREETING: 'HelloWorldFromTheServer2024', PATH: '/usr/local/bin:/usr/bin' }`]]);
});

describe("an environment shown by kubectl describe pod (its Environment: block), eb printenv or cf env: an opaque token goes whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const reference = "DB_PASSWORD:  <set to the key 'password' in secret 'db-credentials'>  Optional: false";
  const dumps: [command: string, output: string, masked: string][] = [
    [
      "kubectl -n prod describe pod api-7d9f8c6b5-x2k4p",
      `Name:         api-7d9f8c6b5-x2k4p\nContainers:\n  api:\n    Image:          ghcr.io/acme/api:v1.4.2\n    Environment:\n      NODE_ENV:     production\n      STRIPE:       ${token}\n      ${reference}\n    Mounts:\n      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-8xk2q (ro)`,
      `Name:         api-7d9f8c6b5-x2k4p\nContainers:\n  api:\n    Image:          ghcr.io/acme/api:v1.4.2\n    Environment:\n      NODE_ENV:     production\n      STRIPE:       [REDACTED:secret]\n      ${reference}\n    Mounts:\n      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-8xk2q (ro)`,
    ],
    ["kubectl describe deploy/api", `    Environment:\n      STRIPE:  ${token}`, "    Environment:\n      STRIPE:  [REDACTED:secret]"],
    ["eb printenv", ` Environment Variables:\n     STRIPE = ${token}\n     NODE_ENV = production`, " Environment Variables:\n     STRIPE = [REDACTED:secret]\n     NODE_ENV = production"],
    [
      "cf env my-app",
      `Getting env variables for app my-app in org me / space dev as me@x.dev...\nSystem-Provided:\nVCAP_SERVICES: {\n  "user-provided": [\n    {\n      "credentials": {\n        "stripe": "${token}"\n      }\n    }\n  ]\n}\n\nUser-Provided:\nSTRIPE: ${token}\nNODE_ENV: production`,
      'Getting env variables for app my-app in org me / space dev as me@x.dev...\nSystem-Provided:\nVCAP_SERVICES: {\n  "user-provided": [\n    {\n      "credentials": {\n        "stripe": "[REDACTED:secret]"\n      }\n    }\n  ]\n}\n\nUser-Provided:\nSTRIPE: [REDACTED:secret]\nNODE_ENV: production',
    ],
  ];
  printedAndPasted(dumps);
  test("kept: a node or a service described, another eb or cf command", () =>
    expect(["kubectl describe node ip-10-0-1-23", "kubectl describe svc api", "eb status", "cf apps", "cf set-env my-app FOO bar"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined, undefined]));
  exactAndKept([], [["a variable taken from a secret's key, as kubectl describe shows it", `$ kubectl describe pod api\n    Environment:\n      ${reference}\n      CONFIG:  <set to the key 'app.json' of config map 'api-config'>  Optional: false`]]);
});

describe("a product's license key under camelCase licenseKey (an XML config's element, JSON, YAML), weak as license_key is", () => {
  exactAndKept(
    [
      ["<licenseKey>Zx8Cv7Bn6Mq5Lp4KwQ9rT</licenseKey>", "<licenseKey>[REDACTED:secret]</licenseKey>"],
      ["  <LicenseKey>ABCD-EFGH-1234-WXYZ</LicenseKey>", "  <LicenseKey>[REDACTED:secret]</LicenseKey>"],
      ['{"licenceKey": "Zx8Cv7Bn6Mq5Lp4KwQ9rT"}', '{"licenceKey": "[REDACTED:secret]"}'],
      ["licenseKey: Zx8Cv7Bn6Mq5Lp4KwQ9rT", "licenseKey: [REDACTED:secret]"],
      ["<cfg:apiKey>Zx8Cv7Bn6Mq5Lp4KwQ9rT</cfg:apiKey>", "<cfg:apiKey>[REDACTED:secret]</cfg:apiKey>"],
      ["<soap:Body><ns:token>Zx8Cv7Bn6Mq5Lp4KwQ9rT</ns:token></soap:Body>", "<soap:Body><ns:token>[REDACTED:secret]</ns:token></soap:Body>"],
    ],
    [
      ["a license's name, a stand-in, code, a reference", "<licenseKey>MIT</licenseKey>\nlicenseKey: \"Apache-2.0\"\n<licenseKey>XXXX-XXXX-XXXX-XXXX</licenseKey>\nconst licenseKey = getLicenseKey();\n<licenseKey>${LICENSE_KEY}</licenseKey>"],
      ["a schema's element named apiKey, a reference and a sort key in a namespace", '<xs:element name="apiKey" type="xs:string"/>\n<ns:password>${DB_PASSWORD}</ns:password>\n<ns:sortKey>createdAt</ns:sortKey>'],
    ],
  );
});

describe("a secret under a name in more languages (Catalan contrasenya, German Geheimnis, Italian segreto, parol/parolă/parola) or a hash's pepper", () => {
  exactAndKept(
    [
      ["PEPPER=Zx8Cv7Bn6Mq5Lp4KwQ9rT", "PEPPER=[REDACTED:secret]"],
      ['password_pepper: "d8Fk2LmQ9xZ7vB3nR5tY1wE4"', 'password_pepper: "[REDACTED:secret]"'],
      ["DB_CONTRASENYA=Zx8Cv7Bn6Mq5", "DB_CONTRASENYA=[REDACTED:secret]"],
      ["GEHEIMNIS=Zx8Cv7Bn6Mq5", "GEHEIMNIS=[REDACTED:secret]"],
      ['"segreto": "hunter22"', '"segreto": "[REDACTED:secret]"'],
      ["PAROL=Zx8Cv7Bn6Mq5", "PAROL=[REDACTED:secret]"],
      ["parolă: Zx8Cv7Bn6Mq5", "parolă: [REDACTED:secret]"],
      ['parola = "Zx8Cv7Bn6Mq5"', 'parola = "[REDACTED:password]"'],
      ['db_parola = "Parola2024!"', 'db_parola = "[REDACTED:secret]"'],
    ],
    [
      ["a pepper in a recipe, Italian's word, parol evidence, a reference", 'pepper = 2\nbell_pepper: "red"\npepper: black\nparola = "ciao"\nparola: "casa"\nla parola chiave\nparola = input("Parola: ")\nparol evidence: inadmissible\n<geheimnis>${GEHEIMNIS}</geheimnis>'],
    ],
  );
});

describe("the word after cargo login, vault login or ngrok authtoken in prose stays; a token there goes", () => {
  exactAndKept(
    [
      ["cargo login ciozAbC9xYz8Qw7Er6Ty5Ui4Op3As2Df1", "cargo login [REDACTED:password]"],
      ["cargo login --registry my-registry cioAbC9xYz8Qw7Er6Ty5Ui4Op3As2Df1", "cargo login --registry my-registry [REDACTED:password]"],
      ["ngrok authtoken 2Qx8Cv7Bn6Mq5Lp4KwQ9rT_3abcDEF", "ngrok authtoken [REDACTED:password]"],
      ["vault login hvs.CAESIJx8Cv7Bn6Mq5Lp4KwQ9rTabcDEFghijk", "vault login [REDACTED:password]"],
    ],
    [
      ["the commands named in sentences", "run cargo login first\nthen vault login with your token\nuse ngrok authtoken to set it\nrun `cargo login` and paste the token from crates.io/me\nDid you run vault login yet?\nafter cargo login v2 publish"],
    ],
  );
});

describe("a short id in hex under a token's or a key's name (token: 3fa9c2d1 in a log) stays: 32 bits, shorter than any token; longer hex and a password go", () => {
  exactAndKept(
    [
      ["token: 3fa9c2d1e5", "token: [REDACTED:secret]"],
      ["token: 3fa9c2d1e5b7a8f4c3d2e1f0a9b8c7d6", "token: [REDACTED:secret]"],
      ["DB_PASSWORD=3fa9c2d1", "DB_PASSWORD=[REDACTED:secret]"],
      ["secret: 3fa9c2d1", "secret: [REDACTED:secret]"],
    ],
    [
      ["a short id after token:, a short commit under a key's name", '[12:00:01] token: 3fa9c2d1 refreshed\ntoken: 3fa9c2d\n"token": "3FA9C2D1"\napi_key: 3fa9c2d1'],
    ],
  );
});

describe("a provider's variable's value cut out of an environment file (grep STRIPE .env | cut -d= -f2, awk -F= '/STRIPE/{print $2}'), pasted below its command", () => {
  exactAndKept(
    [
      ["$ grep STRIPE .env | cut -d= -f2\nZx8Cv7Bn6Mq5Lp4KwQ9rT", "$ grep STRIPE .env | cut -d= -f2\n[REDACTED:secret]"],
      ["$ awk -F= '/STRIPE/ {print $2}' .env\nZx8Cv7Bn6Mq5Lp4KwQ9rT\n$ ls", "$ awk -F= '/STRIPE/ {print $2}' .env\n[REDACTED:secret]\n$ ls"],
      ["$ sed -n 's/^STRIPE=//p' .env\nZx8Cv7Bn6Mq5Lp4KwQ9rT", "$ sed -n 's/^STRIPE=//p' .env\n[REDACTED:secret]"],
    ],
    [
      ["a setting's value cut out, a provider's name matched but nothing cut", "$ grep PORT .env | cut -d= -f2\n3000\n$ grep NODE_ENV .env | cut -d= -f2\nproduction\n$ grep -c STRIPE .env\n2"],
      ["the names cut out, the first field", "$ grep STRIPE .env | cut -d= -f1\nSTRIPE_SECRET_KEY\n$ grep SECRET .env | cut -d= -f1\nJWT_SECRET\nSESSION_SECRET\n$ awk -F= '/SECRET/ {print $1}' .env\nJWT_SECRET"],
    ],
  );
  test("kept: the names cut out, as a Bash call's", () => expect(["grep SECRET .env | cut -d= -f1", "awk -F= '/SECRET/ {print $1}' .env"].map(commandPrints)).toEqual([undefined, undefined]));
});

describe("macOS's ps -E (in a dashed group: -axE, -Ep 1234): each process's environment after its command line, as BSD's ps e", () => {
  const line = " 4121 ttys001    0:01.20 node server.js STRIPE=Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE PATH=/usr/bin:/bin TERM=xterm-256color";
  const masked = " 4121 ttys001    0:01.20 node server.js STRIPE=[REDACTED:secret] PATH=/usr/bin:/bin TERM=xterm-256color";
  printedAndPasted(["ps -E -p 4121", "ps -axE | grep node", "ps -wwEp 4121"].map((command) => [command, line, masked]));
  test("kept: UNIX's -e (every process), -ef", () => expect(["ps -e", "ps -ef", "ps -eo pid,args"].map(commandPrints)).toEqual([undefined, undefined, undefined]));
});

describe("an environment file's base64 pasted below the command that encoded it into tee, which prints what it writes ($ base64 -w0 .env | tee env.b64), into tr -d '\\n', or to macOS's -o -", () => {
  // NODE_ENV=production, then STRIPE=<an opaque token>, in base64.
  const encoded = "Tk9ERV9FTlY9cHJvZHVjdGlvbgpTVFJJUEU9Wng4Q3Y3Qm42TXE1THA0S3dROXJUCg==";
  exactAndKept(
    [
      [`$ base64 -w0 .env | tee env.b64\n${encoded}\n$ ls`, "$ base64 -w0 .env | tee env.b64\n[REDACTED:secret]\n$ ls"],
      [`$ cat .env | base64 | tee -a out.txt\n${encoded}\n$ ls`, "$ cat .env | base64 | tee -a out.txt\n[REDACTED:secret]\n$ ls"],
      [`$ base64 .env | tr -d '\\n'\n${encoded}\n$ ls`, "$ base64 .env | tr -d '\\n'\n[REDACTED:secret]\n$ ls"],
      [`$ base64 -i .env -o -\n${encoded}\n$ ls`, "$ base64 -i .env -o -\n[REDACTED:secret]\n$ ls"],
    ],
    [["a readme's base64 into tee, then more", "$ base64 -w0 README.md | tee readme.b64\naGVsbG8gd29ybGQgdGhpcyBpcyBhIHJlYWRtZQ==\n$ ls"]],
  );
});

describe("macOS's TMPDIR (/var/folders/7x/k2b9…0000gn/T/, a random folder's name) in a printed environment stays: a path, not an opaque token", () => {
  const tmpdir = "/var/folders/7x/k2b9w8qj4d1c0f_y3hz5m6n0000gn/T/";
  const key = "/Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE+Fg3Hj4Kl5Mn6Pq7Rs8=";
  printedAndPasted([
    ["printenv", `TMPDIR=${tmpdir}\nSTRIPE=${key}\n`, `TMPDIR=${tmpdir}\nSTRIPE=[REDACTED:secret]\n`],
    ["node -p process.env", `{ TMPDIR: '${tmpdir}', STRIPE: '${key}' }`, `{ TMPDIR: '${tmpdir}', STRIPE: '[REDACTED:secret]' }`],
  ]);
});

describe("the whole environment printed as `NAME => value` lines (PHP's print_r(getenv()), launchctl print's and procinfo's environment = { … }) or as a Python map whose values end in \\n (os.popen('printenv') read line by line)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const agent = (value: string) =>
    `com.acme.agent = {\n\tactive count = 1\n\tpath = /Users/me/Library/LaunchAgents/com.acme.agent.plist\n\tstate = running\n\n\tenvironment = {\n\t\tPATH => /usr/bin:/bin\n\t\tFOO => ${value}\n\t\t__CF_USER_TEXT_ENCODING => 0x1F5:0x0:0x0\n\t\tXPC_SERVICE_NAME => com.acme.agent\n\t}\n}`;
  printedAndPasted([
    ["php -r 'print_r(getenv());'", `Array\n(\n    [PATH] => /usr/local/bin:/usr/bin\n    [STRIPE] => ${token}\n    [HOME] => /home/dev\n)\n`, "Array\n(\n    [PATH] => /usr/local/bin:/usr/bin\n    [STRIPE] => [REDACTED:secret]\n    [HOME] => /home/dev\n)\n"],
    ["php -r 'var_export(getenv());'", `array (\n  'HOME' => '/home/dev',\n  'STRIPE' => '${token}',\n)`, "array (\n  'HOME' => '/home/dev',\n  'STRIPE' => '[REDACTED:secret]',\n)"],
    ["php -r 'var_export(getenv());'", "array (\n  'STRIPE' => 'correcthorse42',\n)", "array (\n  'STRIPE' => '[REDACTED:secret]',\n)"],
    ["launchctl print gui/501/com.acme.agent", agent(token), agent("[REDACTED:secret]")],
    ["launchctl procinfo 4121", `program path = /usr/local/bin/node\n\tenvironment vector = {\n\t\tFOO => ${token}\n\t\tHOME => /Users/me\n\t}`, "program path = /usr/local/bin/node\n\tenvironment vector = {\n\t\tFOO => [REDACTED:secret]\n\t\tHOME => /Users/me\n\t}"],
    [`python3 -c 'import os; print(dict(l.split("=", 1) for l in os.popen("printenv")))'`, `{'HOME': '/root\\n', 'FOO': '${token}\\n'}`, "{'HOME': '/root\\n', 'FOO': '[REDACTED:secret]\\n'}"],
    [
      `python3 -c 'import subprocess; print({k: v for k, v in (l.split("=", 1) for l in subprocess.check_output(["printenv"], text=True).splitlines(True))})'`,
      `{'HOME': '/root\\n', 'FOO': '${token}\\n'}`,
      "{'HOME': '/root\\n', 'FOO': '[REDACTED:secret]\\n'}",
    ],
  ]);
  test("kept: PHP printing another array, launchctl's other commands", () =>
    expect(["php -r 'print_r($config);'", "php -r 'echo getenv(\"HOME\");'", "launchctl list", "launchctl load ~/Library/LaunchAgents/com.acme.agent.plist"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]));
  exactAndKept([], [["words, a path and an encoding under print_r's environment", `$ php -r 'print_r(getenv());'\nArray\n(\n    [GREETING] => HelloWorldFromTheServer2024\n    [TMPDIR] => /var/folders/7x/k2b9w8qj4d1c0f_y3hz5m6n0000gn/T/\n    [__CF_USER_TEXT_ENCODING] => 0x1F5:0x0:0x0\n)\n`]]);
});

describe("an API's answer of a few fields of which one holds an opaque token, whatever its name ({\"id\": \"tok_…\", \"value\": \"…\"}, as a key is created)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const other = "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc";
  exactAndKept(
    [
      [`{"id": "tok_a1b2c3d4e5", "value": "${token}"}`, '{"id": "tok_a1b2c3d4e5", "value": "[REDACTED:secret]"}'],
      [
        `{\n  "id": "key_9f8e7d",\n  "name": "ci",\n  "value": "${token}",\n  "created_at": "2026-12-07T10:00:00Z",\n  "expires_at": null\n}\n`,
        '{\n  "id": "key_9f8e7d",\n  "name": "ci",\n  "value": "[REDACTED:secret]",\n  "created_at": "2026-12-07T10:00:00Z",\n  "expires_at": null\n}\n',
      ],
      [`{"data": {"id": 42, "attributes": {"plain": "${token}", "scopes": ["read", "write"]}}}`, '{"data": {"id": 42, "attributes": {"plain": "[REDACTED:secret]", "scopes": ["read", "write"]}}}'],
      [`why?\n$ curl -s -X POST https://api.acme.io/v1/tokens\n{"id": "tok_a1b2c3d4e5", "value": "${token}"}\n\nit works`, 'why?\n$ curl -s -X POST https://api.acme.io/v1/tokens\n{"id": "tok_a1b2c3d4e5", "value": "[REDACTED:secret]"}\n\nit works'],
    ],
    [
      ["two random values", `{"a": "${token}", "b": "${other}"}`],
      ["an id among other fields", `{"id": "${token}", "name": "widget", "price": 10}`],
      ["a page's token beside its items", `{"items": [1, 2], "nextPageToken": "${token}"}`],
      ["a file's hash and size", '{"path": "src/a.ts", "sha": "8f14e45fceea167a5a36dedd4bea2543a1b2c3d4", "size": 120}'],
      ["an image's base64 beside its name", '{"name": "dot.png", "content": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}'],
      ["more than six values", `{"value": "${token}", "a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}`],
      ["a status and a UUID", '{"status": "ok", "value": "123e4567-e89b-12d3-a456-426614174000"}'],
      ["a webhook's signature beside its event", `{"event": "push", "signature": "${token}"}`],
    ],
  );
});

describe("a key told in Portuguese with the article's contraction or as a secret or access key (\"a chave da API é …\", \"chave secreta: …\", \"chave de acesso é …\")", () => {
  exactAndKept(
    [
      ["a chave da API é 3OuH3ca6pRyqBfb9ht7CCD0ASb18Ay2c", "a chave da API é [REDACTED:secret]"],
      ["A chave secreta: Zx8Cv7Bn6Mq5Lp4KHx9kQ2pL", "A chave secreta: [REDACTED:secret]"],
      ["minha chave de acesso é Zx8Cv7Bn6Mq5Lp4KHx9kQ2pL, obrigado", "minha chave de acesso é [REDACTED:secret], obrigado"],
    ],
    [["a sentence about a key going on after é", "a chave da API é gerada no painel\na chave secreta é obrigatória\na chave de acesso é AKIA, não a secreta"]],
  );
});

describe("a password given to a client's auth call (Redis' client.auth('…'), Jedis' jedis.auth(\"…\"), PHP's $redis->auth('…'), MongoDB's db.auth(\"user\", \"…\"))", () => {
  exactAndKept(
    [
      ["await client.auth('fg6KgrwkR8hN5USMTKr3De8y');", "await client.auth('[REDACTED:password]');"],
      ['Jedis jedis = new Jedis("cache", 6379); jedis.auth("PofE*Qn10E4dqo");', 'Jedis jedis = new Jedis("cache", 6379); jedis.auth("[REDACTED:password]");'],
      ["$redis->auth('Zx8Cv7Bn6Mq5');", "$redis->auth('[REDACTED:password]');"],
      ['db.auth("app", "Tr0ub4dor&3x")', 'db.auth("app", "[REDACTED:password]")'],
    ],
    [["middleware and a strategy named in an auth call, a variable", "app.use(auth('admin'));\nrouter.get('/', auth(\"jwt\"), handler);\nclient.auth(process.env.REDIS_PASSWORD);\nconst ok = await redis.auth(password);"]],
  );
});

describe("the cookies document.cookie returns, as the browser's console echoes it or a user quotes it (> document.cookie, then '…'; document.cookie gives: \"…\")", () => {
  const sid = "s%3ANuXWFAL05kWSiWajTR_mb2cSHjCfgFPG.DFzyc81xWkQQW4ooGxRQ2xSQeXfD5TOdcHb%2BZmO3lT";
  exactAndKept(
    [
      [`document.cookie gives: "theme=dark; connect.sid=${sid}; lang=en"`, 'document.cookie gives: "theme=[REDACTED:cookie]; connect.sid=[REDACTED:cookie]; lang=[REDACTED:cookie]"'],
      [`> document.cookie\n'session_id=Xk9mQ2pLr7Tz4Wb8Nc3Vd6Hf1Jg5Ks0Ye2Ua9Qw'\n> `, "> document.cookie\n'session_id=[REDACTED:cookie]'\n> "],
      [`document.cookie → "sid=${sid}"`, 'document.cookie → "sid=[REDACTED:cookie]"'],
    ],
    [["code reading document.cookie, and prose", "const sid = document.cookie.split('; ').find((c) => c.startsWith('session='));\nif (document.cookie.includes('theme=dark')) {}\nread document.cookie in the browser's console, then 'copy' it"]],
  );
});

describe(".NET's configuration path ending in Key (Jwt:Key), as dotnet user-secrets list prints it, flattened JSON writes it and az … --settings sets it: a random-looking value goes", () => {
  const key = "POStLzIMf9mp1wlvgpzmyjXk2CT91d3RPCYzBPxV0JnFeDIa";
  exactAndKept(
    [
      [`"Jwt:Key": "${key}"`, '"Jwt:Key": "[REDACTED:secret]"'],
      [`Jwt:Key = ${key}\nJwt:Issuer = https://api.example.com`, "Jwt:Key = [REDACTED:secret]\nJwt:Issuer = https://api.example.com"],
      [`az webapp config appsettings set -g rg -n api --settings Jwt:Key=${key}`, "az webapp config appsettings set -g rg -n api --settings Jwt:Key=[REDACTED:secret]"],
    ],
    [["a cache's and a store's keys, a words' value", '"Jwt:Key": "ThisIsMyDevelopmentSigningKey"\n"Cache:Key": "products"\n"Redis:Key": "app:sessions"']],
  );
});

describe("Ansible's variables files (group_vars/, host_vars/): a deployment's settings and secrets in the clear when not vaulted, read as an environment file", () => {
  const { redactOutput } = createRedactor();
  const token = "VCq24hAwmLABiA4LbJAhyCc5oKU2rAa3Z6o2HUjK";
  const vars = (upstream: string) => `---\nansible_host: 10.0.0.12\nnginx_version: 1.25.3\ndb_host: db.internal\nupstream: ${upstream}\nimage_digest: sha256:8f14e45fceea167a5a36dedd4bea2543a1b2c3d48f14e45fceea167a5a36dedd\n`;
  test("read as an environment file", () => {
    expect(["/infra/group_vars/prod.yml", "inventory/host_vars/web1.yaml", "group_vars/all/main.yml", "group_vars/webservers"].map(filePrints)).toEqual(["env", "env", "env", "env"]);
    expect(["roles/web/tasks/main.yml", "docs/group_vars.md", "group_vars/README.md"].map(filePrints)).toEqual([undefined, undefined, undefined]);
  });
  test("its opaque tokens as Read shows them and below $ cat", () => {
    expect(redactOutput(vars(token), filePrints("/infra/group_vars/prod.yml") ?? "key").text).toBe(vars("[REDACTED:secret]"));
    expect(createRedactor().redact(`$ cat inventory/group_vars/prod.yml\n${vars(token)}`).text).toBe(`$ cat inventory/group_vars/prod.yml\n${vars("[REDACTED:secret]")}`);
  });
});

describe("a JWT settings object's Key (ASP.NET's appsettings \"Jwt\": {\"Key\": \"…\"}): its signing key whatever its shape", () => {
  const key = "POStLzIMf9mp1wlvgpzmyjXk2CT91d3RPCYzBPxV0JnFeDIa";
  const settings = (value: string) =>
    `{\n  "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } },\n  "AllowedHosts": "*",\n  "Jwt": {\n    "Key": "${value}",\n    "Issuer": "acme",\n    "Audience": "acme-web",\n    "ExpiryMinutes": 60\n  }\n}`;
  exactAndKept(
    [
      [settings(key), settings("[REDACTED:secret]")],
      ['"JwtSettings": { "Issuer": "api", "Audience": "web", "Key": "ThisIsMySuperSecretSigningKeyForDev2024" }', '"JwtSettings": { "Issuer": "api", "Audience": "web", "Key": "[REDACTED:secret]" }'],
    ],
    [
      ["a stand-in, a short value, another object's key", '"Jwt": { "Key": "<your-signing-key>" }\n"JWT": { "Key": "jwt" }\n"Jwt": { "Issuer": "acme" }, "Cache": { "Key": "products-v2-cache-entry" }'],
    ],
  );
});

describe("several values cut out of an environment file by one extraction (grep -E 'STRIPE_KEY|OPENAI_KEY' .env | cut -d= -f2, awk -F= '/A|B/ {print $2}', grep KEY .env | cut): one value a line, each masked", () => {
  const output = "Tr0ub4dor&3x!\ncorrecthorse42\n\"correct horse battery\"\n";
  const masked = '[REDACTED:secret]\n[REDACTED:secret]\n"[REDACTED:secret]"\n';
  printedAndPasted(
    ["grep -E 'STRIPE_KEY|OPENAI_KEY' .env | cut -d= -f2", "awk -F= '/STRIPE|SENDGRID/ {print $2}' .env", "grep KEY .env | cut -d= -f2", "sed -n 's/^[A-Z_]*KEY=//p' .env.production"].map((command) => [command, output, masked]),
  );
  exactAndKept(
    [["$ grep -E 'STRIPE|OPENAI' .env | cut -d= -f2\nTr0ub4dor&3x!\ncorrecthorse42\nwhy do these differ?", "$ grep -E 'STRIPE|OPENAI' .env | cut -d= -f2\n[REDACTED:secret]\n[REDACTED:secret]\nwhy do these differ?"]],
    [
      ["an error, a short setting, the user's words after a blank line", "$ grep -E 'STRIPE|OPENAI' .env.local | cut -d= -f2\ngrep: .env.local: No such file or directory\n$ grep -E 'STRIPE|PORT' .env | cut -d= -f2\n3000\n\ncorrecthorse42 is what I typed"],
      ["a key's names cut out, a search of code for KEY", "$ grep KEY .env | cut -d= -f1\nSTRIPE_SECRET_KEY\nOPENAI_API_KEY\n$ grep -rn KEY src/ | head\nsrc/config.ts:3:  const key = loadKey();"],
    ],
  );
});

describe("a whole environment printed by a script no rule knows (python3 envdump.py, ./print_env.sh, node dump.js): lines, a map or JSON holding PATH, HOME and another shell's variable, read as env's output", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const lines = (upstream: string, stripe: string) => `PATH=/usr/local/bin:/usr/bin:/bin\nHOME=/home/dev\nSHELL=/bin/bash\nUSER=dev\nUPSTREAM=${upstream}\nSTRIPE=${stripe}\nLANG=C.UTF-8\n`;
  const dict = (upstream: string, stripe: string) => `{'PATH': '/usr/local/bin:/usr/bin', 'HOME': '/home/dev', 'SHELL': '/bin/zsh', 'USER': 'dev', 'UPSTREAM': '${upstream}', 'STRIPE': '${stripe}'}`;
  const object = (upstream: string, stripe: string) => `{\n  PATH: '/usr/bin',\n  HOME: '/root',\n  SHELL: '/bin/bash',\n  UPSTREAM: '${upstream}',\n  STRIPE: '${stripe}'\n}`;
  const json = (upstream: string, stripe: string) => `{\n  "HOME": "/root",\n  "PATH": "/usr/bin",\n  "USER": "root",\n  "UPSTREAM": "${upstream}",\n  "STRIPE": "${stripe}"\n}`;
  const cases: [string, (upstream: string, stripe: string) => string][] = [["python3 envdump.py", lines], ["./print_env.sh", dict], ["node dump.js", object], ["python3 scripts/env_json.py", json]];
  exactAndKept(
    cases.flatMap(([command, listing]): [string, string][] => [
      [listing(token, "correcthorse42"), listing("[REDACTED:secret]", "[REDACTED:secret]")],
      [`$ ${command}\n${listing(token, "correcthorse42")}\nwhy is UPSTREAM set?`, `$ ${command}\n${listing("[REDACTED:secret]", "[REDACTED:secret]")}\nwhy is UPSTREAM set?`],
    ]),
    [
      [
        "an environment's paths, hashes, ids, words and placeholders",
        "PATH=/usr/bin\nHOME=/root\nUSER=dev\nTMPDIR=/var/folders/7x/k2b9w8qj4d1c0f_y3hz5m6n0000gn/T/\nGIT_COMMIT=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\nREQUEST_ID=123e4567-e89b-12d3-a456-426614174000\nAPI_KEY=your-key-here\nGREETING=HelloWorldFromTheServer2024\nNODE_ENV=production\n",
      ],
      ["no shell's variables beside PATH (a config, a manifest)", `{"PATH": "/usr/bin", "UPSTREAM": "${token}"}\n\nroutes:\n  - path: /healthz\n    home: /srv\n    user: app\n    upstream: ${token}`],
    ],
  );
});

describe("a variable set on a command line as a shell's trace prints it (set -x, a CI log: + export FOO=…, ++ FOO=… ./run.sh)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`+ export UPSTREAM=${token}\n+ ./deploy.sh\ndeployed`, "+ export UPSTREAM=[REDACTED:secret]\n+ ./deploy.sh\ndeployed"],
      [`++ UPSTREAM=${token} ./run.sh`, "++ UPSTREAM=[REDACTED:secret] ./run.sh"],
    ],
    [["settings, a commit's hash, a command's argument, a placeholder in a trace", `+ export NODE_ENV=production\n+ GIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4 ./build.sh\n+ make UPSTREAM=${token}\n+ export API_KEY=your-key-here`]],
  );
});

describe("a token or a password given to a chained call on a client (reqwest's .bearer_auth(\"…\") and .basic_auth(\"u\", Some(\"…\")), .withToken(\"…\") after a call)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`let resp = client.get(url).bearer_auth("${token}").send().await?;`, 'let resp = client.get(url).bearer_auth("[REDACTED:secret]").send().await?;'],
      [`client\n    .post(url)\n    .bearer_auth("${token}")\n    .json(&body)`, 'client\n    .post(url)\n    .bearer_auth("[REDACTED:secret]")\n    .json(&body)'],
      ['.basic_auth("admin", Some("Tr0ub4dor&3x!"))', '.basic_auth("admin", Some("[REDACTED:password]"))'],
      [`new Builder().withToken("${token}")`, 'new Builder().withToken("[REDACTED:secret]")'],
    ],
    [["variables, a stand-in, no password, a format string", '.bearer_auth(&token)\n.bearer_auth(token)\n.bearer_auth("<your-token>")\n.bearer_auth("YOUR_API_TOKEN")\n.basic_auth("admin", None::<&str>)\n.basic_auth(&user, Some(&pass))\n.bearer_auth(format!("{}", key))']],
  );
});

describe("every value of an environment file cut out with no name matched (cut -d= -f2- .env.production, awk -F= '{print $2}' .env): an opaque token goes, its settings stay", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const output = (value: string) => `production\n3000\n${value}\nhttps://api.example.com\n8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\n123e4567-e89b-12d3-a456-426614174000\nyour-key-here\nHelloWorldFromTheServer2024\n`;
  printedAndPasted(["cut -d= -f2- .env.production", "awk -F= '{print $2}' .env", "grep -v '^#' .env | cut -d= -f2"].map((command) => [command, output(token), output("[REDACTED:secret]")]));
  test("kept: the names cut out, another file's fields", () => expect(["cut -d= -f1 .env", "cut -d: -f1 /etc/passwd", "cut -d= -f2 config.ini", "awk -F= '{print $1}' .env"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]));
});

describe("a variable a Dockerfile sets for its image under any name (ENV FOO=…, ARG FOO=…, several on one instruction)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`FROM node:22-alpine\nENV UPSTREAM=${token}\nENV NODE_ENV=production\n`, "FROM node:22-alpine\nENV UPSTREAM=[REDACTED:secret]\nENV NODE_ENV=production\n"],
      [`ENV LOG_LEVEL=info UPSTREAM=${token} \\\n    PORT=8080`, "ENV LOG_LEVEL=info UPSTREAM=[REDACTED:secret] \\\n    PORT=8080"],
      [`ARG UPSTREAM=${token}\nRUN ./fetch.sh`, "ARG UPSTREAM=[REDACTED:secret]\nRUN ./fetch.sh"],
    ],
    [["versions, a commit's hash, an image's digest, a placeholder", "ENV NODE_VERSION=22.11.0 YARN_VERSION=1.22.22\nENV GIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\nARG BASE_IMAGE=node:22-alpine@sha256:8f14e45fceea167a5a36dedd4bea2543a1b2c3d48f14e45fceea167a5a36dedd\nENV API_KEY=your-key-here"]],
  );
});

describe("the YAML blocks a workload takes as its environment (GitLab CI's variables:, App Engine's env_variables:, a ConfigMap's data:, a Secret's stringData:): an opaque token goes whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const blocks = (value: string) => [
    `variables:\n  UPSTREAM: "${value}"\n  DOCKER_DRIVER: overlay2\n\ndeploy:\n  script:\n    - ./deploy.sh\n`,
    `runtime: python312\nenv_variables:\n  UPSTREAM: "${value}"\n  REGION: europe-west1\n`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  UPSTREAM: "${value}"\n  LOG_LEVEL: info\n`,
    `kind: Secret\nstringData:\n  upstream: ${value}\n`,
  ];
  exactAndKept(
    blocks(token).map((block, i): [string, string] => [block, blocks("[REDACTED:secret]")[i] as string]),
    [["a block's settings, a commit's hash, a UUID, words", "variables:\n  GIT_DEPTH: 10\n  CI_SHA: 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\ndata:\n  id: 123e4567-e89b-12d3-a456-426614174000\n  greeting: HelloWorldFromTheServer2024\n  nginx.conf: |\n    server { listen 80; }\n"]],
  );
});

describe("a TOML table that sets an app's environment (fly.toml's [env], wrangler.toml's [vars] and [env.staging.vars], netlify.toml's [context.production.environment]): an opaque token goes whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`app = "acme-api"\n\n[env]\n  UPSTREAM = "${token}"\n  PORT = "8080"\n`, 'app = "acme-api"\n\n[env]\n  UPSTREAM = "[REDACTED:secret]"\n  PORT = "8080"\n'],
      [`name = "api"\n[env.staging.vars]\n# the upstream's\nUPSTREAM = "${token}"\n`, 'name = "api"\n[env.staging.vars]\n# the upstream\'s\nUPSTREAM = "[REDACTED:secret]"\n'],
      [`[context.production.environment]\n  UPSTREAM = '${token}'\n  NODE_VERSION = "22"\n`, "[context.production.environment]\n  UPSTREAM = '[REDACTED:secret]'\n  NODE_VERSION = \"22\"\n"],
    ],
    [
      ["a table's flags, a commit's hash, a UUID, a placeholder", '[env]\nRUSTFLAGS = "-C target-cpu=native"\nGIT_SHA = "8f14e45fceea167a5a36dedd4bea2543a1b2c3d4"\nID = "123e4567-e89b-12d3-a456-426614174000"\nAPI_KEY = "your-key-here"\n'],
      ["another table's value after it", `[env]\n  PORT = "8080"\n\n[build]\n  image = "${token}"\n`],
    ],
  );
});

describe("a platform's environment listed as key and value items (Render's envVars:, DigitalOcean's envs: - key: FOO then value: …), as Kubernetes' - name: FOO", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`services:\n  - type: web\n    name: api\n    envVars:\n      - key: UPSTREAM\n        value: ${token}\n      - key: NODE_VERSION\n        value: 22.11.0\n`, "services:\n  - type: web\n    name: api\n    envVars:\n      - key: UPSTREAM\n        value: [REDACTED:secret]\n      - key: NODE_VERSION\n        value: 22.11.0\n"],
      [`envs:\n  - key: UPSTREAM\n    scope: RUN_TIME\n    value: "${token}"\n`.replace("    scope: RUN_TIME\n", ""), 'envs:\n  - key: UPSTREAM\n    value: "[REDACTED:secret]"\n'],
    ],
    [["a key's hash, a UUID, words", "envVars:\n  - key: GIT_SHA\n    value: 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\n  - key: ID\n    value: 123e4567-e89b-12d3-a456-426614174000\n  - key: GREETING\n    value: HelloWorldFromTheServer2024\n"]],
  );
});

describe("a whole environment printed by Go on one line ([HOSTNAME=api PATH=… HOME=… FOO=…], fmt.Println(os.Environ())), read as ps e's pairs", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const slice = (upstream: string, last: string) => `[HOSTNAME=api-7d9 PATH=/usr/local/go/bin:/usr/bin HOME=/root UPSTREAM=${upstream} LANG=C.UTF-8 LAST=${last}]`;
  exactAndKept(
    [
      [slice(token, token), slice("[REDACTED:secret]", "[REDACTED:secret]")],
      [`$ go run ./cmd/dumpenv\n${slice(token, "x")}\nwhy?`, `$ go run ./cmd/dumpenv\n${slice("[REDACTED:secret]", "x")}\nwhy?`],
    ],
    [["a slice without HOME, a slice's paths and hashes", `[PATH=/usr/bin UPSTREAM=${token}]\n\n[PATH=/usr/bin HOME=/root USER=me GIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4]`]],
  );
});

describe("an environment file's lines pasted with no command before them (\"here's my .env:\" then NAME=value lines, fenced or not): an opaque token goes whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`here's my .env, why doesn't it connect?\n\nNODE_ENV=production\n# the upstream's\nUPSTREAM=${token}\nPORT=3000\n`, "here's my .env, why doesn't it connect?\n\nNODE_ENV=production\n# the upstream's\nUPSTREAM=[REDACTED:secret]\nPORT=3000\n"],
      [`my env:\n\`\`\`\nUPSTREAM="${token}"\nSTRIPE=correcthorse42\n\`\`\`\nthanks`, 'my env:\n```\nUPSTREAM="[REDACTED:secret]"\nSTRIPE=[REDACTED:secret]\n```\nthanks'],
    ],
    [
      ["an example's placeholders, settings, a hash, a UUID, a path", "```\nAPI_KEY=your-key-here\nNODE_ENV=production\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\nREQUEST_ID=123e4567-e89b-12d3-a456-426614174000\nTMPDIR=/var/folders/7x/k2b9w8qj4d1c0f_y3hz5m6n0000gn/T/\n```"],
      ["one line alone among prose (the known trade-off), lowercase names", `the line\nUPSTREAM=${token}\nis it right?\n\nx=${token}\ny=${token}`],
    ],
  );
});

describe("an environment file's diff by diff itself (diff .env .env.example: < and > lines; diff -u: + and - lines), as git diff .env's", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  printedAndPasted([
    ["diff .env .env.example", `2,3c2,3\n< UPSTREAM=${token}\n< PORT=3000\n---\n> UPSTREAM=your-token\n> PORT=8080\n`, "2,3c2,3\n< UPSTREAM=[REDACTED:secret]\n< PORT=3000\n---\n> UPSTREAM=your-token\n> PORT=8080\n"],
    ["diff -u .env.example .env.production", `--- .env.example\n+++ .env.production\n@@ -1,2 +1,2 @@\n NODE_ENV=production\n-UPSTREAM=your-token\n+UPSTREAM=${token}\n`, "--- .env.example\n+++ .env.production\n@@ -1,2 +1,2 @@\n NODE_ENV=production\n-UPSTREAM=your-token\n+UPSTREAM=[REDACTED:secret]\n"],
  ]);
  test("kept: a diff of other files", () => expect(["diff a.txt b.txt", "diff -r src/ lib/", "colordiff config.yml config.yml.bak"].map(commandPrints)).toEqual([undefined, undefined, undefined]));
});

describe("an environment file loaded whole and printed by a one-liner (python-dotenv's dotenv_values('.env'), dotenv's require('dotenv').config().parsed): an opaque token goes whatever its name", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  printedAndPasted([
    [`python3 -c "from dotenv import dotenv_values; print(dotenv_values('.env.local'))"`, `{'NODE_ENV': 'production', 'UPSTREAM': '${token}'}\n`, "{'NODE_ENV': 'production', 'UPSTREAM': '[REDACTED:secret]'}\n"],
    [`node -e "console.log(require('dotenv').config().parsed)"`, `{ NODE_ENV: 'production', UPSTREAM: '${token}' }\n`, "{ NODE_ENV: 'production', UPSTREAM: '[REDACTED:secret]' }\n"],
  ]);
  test("kept: its names, one setting", () =>
    expect([`python3 -c "from dotenv import dotenv_values; print(dotenv_values('.env').keys())"`, `python3 -c "from dotenv import dotenv_values; print(dotenv_values()['PORT'])"`].map(commandPrints)).toEqual([undefined, undefined]));
});

describe("an environment file named with a dash or an underscore after .env (.env-prod, .env_local, .env-staging.bak), or Flask's .flaskenv: read as .env.production is", () => {
  const { redactOutput } = createRedactor();
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  test("read as environment files", () => {
    expect([".env-prod", "config/.env_local", ".env-staging.bak", ".flaskenv"].map(filePrints)).toEqual(["env", "env", "env", "env"]);
    expect([".envoy.yaml", "envoy.env.yaml.md"].map(filePrints)).toEqual([undefined, undefined]);
  });
  test("an opaque token under a neutral name, as Read shows it and below $ cat", () => {
    expect(redactOutput(`NODE_ENV=production\nUPSTREAM=${token}\n`, filePrints(".env-prod") ?? "key").text).toBe("NODE_ENV=production\nUPSTREAM=[REDACTED:secret]\n");
    expect(createRedactor().redact(`$ cat .env_local\nUPSTREAM=${token}\n`).text).toBe("$ cat .env_local\nUPSTREAM=[REDACTED:secret]\n");
  });
});

describe("a Kubernetes secret's whole data printed (kubectl get secret app -o jsonpath='{.data}', -o json | jq '.data | map_values(@base64d)'): every value, whatever its key", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const encoded = Buffer.from(token).toString("base64");
  printedAndPasted([
    ["kubectl get secret app -n prod -o jsonpath='{.data}'", `{"password":"Y29ycmVjdGhvcnNlNDI=","upstream":"${encoded}"}`, '{"password":"[REDACTED:secret]","upstream":"[REDACTED:secret]"}'],
    ["kubectl get secret app -o json | jq '.data | map_values(@base64d)'", `{\n  "password": "correcthorse42",\n  "upstream": "${token}"\n}`, '{\n  "password": "[REDACTED:secret]",\n  "upstream": "[REDACTED:secret]"\n}'],
  ]);
  test("kept: its metadata, a ConfigMap's data, the list of secrets", () =>
    expect(["kubectl get secret app -o jsonpath='{.metadata}'", "kubectl get configmap app -o jsonpath='{.data}'", "kubectl get secrets"].map(commandPrints)).toEqual([undefined, undefined, undefined]));
});

describe("a secret store's value that is a JSON object (aws secretsmanager … --query SecretString --output text, then | jq .): each of its values, whatever its key", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const secret = (upstream: string, password: string) => `{"upstream":"${upstream}","password":"${password}"}`;
  const pretty = (upstream: string, password: string) => `{\n  "upstream": "${upstream}",\n  "password": "${password}"\n}`;
  printedAndPasted([
    ["aws secretsmanager get-secret-value --secret-id prod/app --query SecretString --output text", secret(token, "correcthorse42"), secret("[REDACTED:secret]", "[REDACTED:secret]")],
    ["aws secretsmanager get-secret-value --secret-id prod/app --query SecretString --output text | jq .", pretty(token, "correcthorse42"), pretty("[REDACTED:secret]", "[REDACTED:secret]")],
  ]);
  test("kept: a store's listing, its description", () =>
    expect(["aws secretsmanager list-secrets", "aws secretsmanager describe-secret --secret-id prod/app | jq ."].map(commandPrints)).toEqual([undefined, undefined]));
});

describe("an opaque token written into code as an environment variable's fallback under any name (process.env.UPSTREAM || \"…\", os.getenv(\"UPSTREAM\", \"…\"), ${UPSTREAM:-…})", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`const upstream = process.env.UPSTREAM || "${token}";`, 'const upstream = process.env.UPSTREAM || "[REDACTED:secret]";'],
      [`new Client({ token: process.env.X ?? '${token}' })`, "new Client({ token: process.env.X ?? '[REDACTED:secret]' })"],
      [`upstream = os.getenv("UPSTREAM", "${token}")`, 'upstream = os.getenv("UPSTREAM", "[REDACTED:secret]")'],
      [`upstream = ENV.fetch("UPSTREAM", "${token}")`, 'upstream = ENV.fetch("UPSTREAM", "[REDACTED:secret]")'],
      [`command: ./run --upstream \${UPSTREAM:-${token}}`, "command: ./run --upstream ${UPSTREAM:-[REDACTED:secret]}"],
    ],
    [
      [
        "a URL, a model's name, a commit's hash, a setting, a UUID, a region, words, a placeholder",
        'const url = process.env.API_URL || "http://localhost:3000";\nmodel = os.getenv("MODEL", "claude-sonnet-4-5-20250929")\nimage: acme/api:${IMAGE_TAG:-8f14e45fceea167a5a36dedd4bea2543a1b2c3d4}\nNODE_ENV=${NODE_ENV:-production}\nconst id = process.env.REQUEST_ID ?? "123e4567-e89b-12d3-a456-426614174000";\nregion = ENV.fetch("REGION", "eu-west-1")\nconst greeting = process.env.GREETING || "HelloWorldFromTheServer2024";\nconst key = process.env.UPSTREAM || "your-key-here";',
      ],
    ],
  );
});

describe("a variable's value told in prose (\"I've set `UPSTREAM` to `…`\", \"set UPSTREAM to … and restart\", \"UPSTREAM should be …\", \"the value of UPSTREAM is …\")", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`I've set \`UPSTREAM\` to \`${token}\` in .env.`, "I've set `UPSTREAM` to `[REDACTED:secret]` in .env."],
      [`Set UPSTREAM to ${token} and restart`, "Set UPSTREAM to [REDACTED:secret] and restart"],
      [`UPSTREAM should be ${token}, not the old one`, "UPSTREAM should be [REDACTED:secret], not the old one"],
      [`the value of ACME_CLIENT is now "${token}".`, 'the value of ACME_CLIENT is now "[REDACTED:secret]".'],
    ],
    [
      [
        "settings, a hash, a model, a UUID, a path, a URL, a placeholder, a lowercase subject",
        "NODE_ENV is production\nGIT_SHA is 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\nMODEL is claude-sonnet-4-5-20250929\nset LOG_LEVEL to debug\nREQUEST_ID is 123e4567-e89b-12d3-a456-426614174000\nset API_KEY to your-key-here\nPATH is /usr/local/bin:/usr/bin\nBASE_URL should be https://api.acme.io/v1\nThe README is HelloWorldFromTheServer2024",
      ],
    ],
  );
});

describe("an environment's lines as a Markdown list an assistant sums up with (- `UPSTREAM=…`, * UPSTREAM=…)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`Updated \`.env\`:\n- \`UPSTREAM=${token}\`\n- \`PORT=3000\`\n\nRestart the server.`, "Updated `.env`:\n- `UPSTREAM=[REDACTED:secret]`\n- `PORT=3000`\n\nRestart the server."],
      [`* NODE_ENV=production\n* UPSTREAM=${token}`, "* NODE_ENV=production\n* UPSTREAM=[REDACTED:secret]"],
    ],
    [["a list's settings, a hash, a placeholder", "- `NODE_ENV=production`\n- `GIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4`\n- `API_KEY=your-key-here`"]],
  );
});

describe("a variable's value in a Markdown table's row (| `UPSTREAM` | `…` |), as an assistant lists what it set", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [[`| Variable | Value |\n|---|---|\n| \`UPSTREAM\` | \`${token}\` |\n| PORT | 3000 |`, "| Variable | Value |\n|---|---|\n| `UPSTREAM` | `[REDACTED:secret]` |\n| PORT | 3000 |"]],
    [["a table's settings, a hash, a placeholder, a lowercase name", `| Name | Value |\n|---|---|\n| NODE_ENV | production |\n| GIT_SHA | 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4 |\n| API_KEY | your-key-here |\n| upstream | ${token} |`]],
  );
});

describe("an environment file shown numbered (cat -n .env, nl .env) or with cat's other flags (cat -v): read as cat .env's output", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const numbered = (value: string) => `     1\tNODE_ENV=production\n     2\tUPSTREAM=${value}\n`;
  printedAndPasted([
    ["cat -n .env", numbered(token), numbered("[REDACTED:secret]")],
    ["nl .env.production", numbered(token), numbered("[REDACTED:secret]")],
    ["cat -v .env", `UPSTREAM=${token}\n`, "UPSTREAM=[REDACTED:secret]\n"],
  ]);
  test("kept: other files numbered, nl as a word", () => expect(["cat -n src/app.ts", "nl README.md", "cat -n"].map(commandPrints)).toEqual([undefined, undefined, undefined]));
});

describe("a Convex deploy or admin key under any name or none (prod:name|…, preview:team:project|…, convex-self-hosted|…): its token", () => {
  const token = "eyJ2MiI6IjNmNWE4YzJlOTFkNDQ3YjBhZTZmMmM4ZDFiOWU3YTQ1In0=";
  const masked = "[REDACTED:convex-deploy-key]";
  exactAndKept(
    [
      [`Here is my deploy key: prod:happy-animal-123|${token}`, `Here is my deploy key: prod:happy-animal-123|${masked}`],
      [`UPSTREAM=preview:acme-team:my-project|${token}`, `UPSTREAM=preview:acme-team:my-project|${masked}`],
      [`      env:\n        DEPLOY: dev:quiet-fox-42|${token}`, `      env:\n        DEPLOY: dev:quiet-fox-42|${masked}`],
      ["admin key: convex-self-hosted|01a3f9c2b7e84d5f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6", `admin key: convex-self-hosted|${masked}`],
    ],
    [
      ["a deployment's name, a script's name piped, a placeholder", "The deployment prod:happy-animal-123 is live.\nnpm run dev:web|tee dev.log\nCONVEX_DEPLOY_KEY=dev:intent-akita-728|...\nthe key looks like prod:happy-animal-123|<your-deploy-key>\nprod:mild-newt-621|xxxxxxxxxxxxxxxxxxxxxxxxxxxx"],
    ],
  );
});

describe("a webhook URL whose path is its key: Make's, and Slack's path on another host (the key alone; the host stays)", () => {
  exactAndKept(
    [
      ["curl -X POST https://hook.eu1.make.com/a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6 -d '{}'", "curl -X POST https://hook.eu1.make.com/[REDACTED:make-webhook] -d '{}'"],
      ["SLACK_RELAY=https://hooks.example.com/services/T0123ABCD/B0456EFGH/aB3dE5fG7hJ9kL1mN3pQ5rS7", "SLACK_RELAY=https://hooks.example.com/services/T0123ABCD/B0456EFGH/[REDACTED:slack-webhook]"],
    ],
    [["other paths on those hosts", "https://www.make.com/en/help/tools/webhooks\nhttps://hook.eu1.make.com/\nGET /services/TypeService/BaseHandler/getAllUsersFromDatabase1\nhttps://api.example.com/services/tokens/b1/list"]],
  );
});

describe("an environment's lines as Compose logs them (api-1  | UPSTREAM=…, web_1 | UPSTREAM=…) and as cat -A shows them (each line ending in $)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`$ docker compose logs api\napi-1  | NODE_ENV=production\napi-1  | UPSTREAM=${token}\napi-1  | PORT=3000`, "$ docker compose logs api\napi-1  | NODE_ENV=production\napi-1  | UPSTREAM=[REDACTED:secret]\napi-1  | PORT=3000"],
      [`myapp-worker_1 | UPSTREAM="${token}"\nmyapp-worker_1 | PORT=3000`, 'myapp-worker_1 | UPSTREAM="[REDACTED:secret]"\nmyapp-worker_1 | PORT=3000'],
    ],
    [
      ["a service's log lines and settings, a hash", "api-1  | Listening on port 3000\napi-1  | GET /health 200 3ms\napi-1  | NODE_ENV=production\napi-1  | PORT=3000\napi-1  | GIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\napi-1  | API_KEY=your-key-here"],
      ["cat -A's settings, a value's own $ on a line of many", "$ cat -A .env\nNODE_ENV=production$\nPORT=3000$\n\nPRICE=5$\nREGION=us-east-1"],
    ],
  );
  printedAndPasted([["cat -A .env", `NODE_ENV=production$\nUPSTREAM=${token}$\n`, "NODE_ENV=production$\nUPSTREAM=[REDACTED:secret]$\n"]]);
});

describe("GitHub's Actions variables listed (gh variable list: tab-separated when piped, a table in a terminal, --json): a value shaped as a secret", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const piped = (value: string) => `REGION\tus-east-1\t2025-11-02T10:00:00Z\nUPSTREAM\t${value}\t2025-11-02T10:00:00Z\nGIT_SHA\t8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\t2025-11-02T10:00:00Z\n`;
  const table = (value: string) => `NAME      VALUE                             UPDATED\nUPSTREAM  ${value}  about 2 days ago\nREGION    us-east-1                         Mar 3, 2025\n`;
  printedAndPasted([
    ["gh variable list", piped(token), piped("[REDACTED:secret]")],
    ["gh variable list --env production", table(token), table("[REDACTED:secret]")],
    ["gh variable list --json name,value", `[{"name":"UPSTREAM","value":"${token}"},{"name":"REGION","value":"us-east-1"}]\n`, '[{"name":"UPSTREAM","value":"[REDACTED:secret]"},{"name":"REGION","value":"us-east-1"}]\n'],
  ]);
  exactAndKept([], [
    ["gh secret list's names and dates", "$ gh secret list\nNAME            UPDATED\nSTRIPE_SECRET   about 2 days ago\nUPSTREAM_TOKEN  Mar 3, 2025\nDEPLOY_KEY\t2025-11-02T10:00:00Z"],
    ["gh variable list's settings, a hash, a placeholder", "$ gh variable list\nNODE_ENV\tproduction\t2025-11-02T10:00:00Z\nGIT_SHA\t8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\t2025-11-02T10:00:00Z\nAPI_KEY\tyour-key-here\t2025-11-02T10:00:00Z"],
  ]);
});

describe("python-dotenv's older dotenv_values() printed as OrderedDict([('NAME', '…'), …]): read as the map it is", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const printed = (value: string) => `OrderedDict([('NODE_ENV', 'production'), ('GIT_SHA', '8f14e45fceea167a5a36dedd4bea2543a1b2c3d4'), ('UPSTREAM', '${value}')])\n`;
  printedAndPasted([
    [`python3 -c "from dotenv import dotenv_values; print(dotenv_values('.env'))"`, printed(token), printed("[REDACTED:secret]")],
    [`python -c 'import dotenv; print(dotenv.dotenv_values(".env.production"))'`, printed(token), printed("[REDACTED:secret]")],
  ]);
  exactAndKept([], [["a list of tuples in code, a placeholder", `pairs = [('UPSTREAM', '${token}')]\nOrderedDict([('API_KEY', 'your-key-here'), ('PORT', '3000')])`]]);
});

describe("rg's heading output (a file's path on its own line, then its lines after their number): an environment file's lines read as its", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const headed = (value: string) => `src/config.ts\n12:const upstream = process.env.UPSTREAM;\n\n.env.production\n3:UPSTREAM=${value}\n4-PORT=3000\n`;
  printedAndPasted([
    ["rg UPSTREAM", headed(token), headed("[REDACTED:secret]")],
    ["rg -n --heading UPSTREAM .", headed(token), headed("[REDACTED:secret]")],
  ]);
  exactAndKept([], [["another file's lines under its heading, an example's placeholder", `$ rg UPSTREAM\nsrc/fixtures.ts\n12:UPSTREAM=${token}\n\n.env.example\n3:UPSTREAM=your-key-here`]]);
});

describe("a variable a build file sets under any name (Make's NAME ?= …, export NAME := …; Gradle's buildConfigField(\"String\", \"NAME\", \"\\\"…\\\"\"))", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`VERSION ?= 1.4.2\nUPSTREAM ?= ${token}\n\ndeploy:\n\t./deploy.sh`, "VERSION ?= 1.4.2\nUPSTREAM ?= [REDACTED:secret]\n\ndeploy:\n\t./deploy.sh"],
      [`export UPSTREAM := ${token}  # from the dashboard`, "export UPSTREAM := [REDACTED:secret]  # from the dashboard"],
      [`        buildConfigField("String", "UPSTREAM", "\\"${token}\\"")`, '        buildConfigField("String", "UPSTREAM", "\\"[REDACTED:secret]\\"")'],
      [`    buildConfigField 'String', 'UPSTREAM', '"${token}"'`, "    buildConfigField 'String', 'UPSTREAM', '\"[REDACTED:secret]\"'"],
    ],
    [
      ["a Makefile's settings, a hash, a placeholder, Go's declaration", `IMAGE ?= ghcr.io/acme/app:1.2\nGIT_SHA := $(shell git rev-parse HEAD)\nCOMMIT ?= 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\nAPI_KEY ?= your-key-here\nCFLAGS += -O2 -Wall\n\tversion := "v1.2.3"`],
      ["a build's other fields", 'buildConfigField("String", "BASE_URL", "\\"https://api.example.com\\"")\nbuildConfigField("String", "API_KEY", "\\"${apiKey}\\"")\nbuildConfigField("boolean", "DEBUG_MODE", "true")'],
    ],
  );
});

describe("Azure's app settings pasted bare (a JSON array of {\"name\": …, \"slotSetting\": …, \"value\": …} opening its line): read as an environment's list", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [
      [`these are the settings:\n[\n  {\n    "name": "UPSTREAM",\n    "slotSetting": false,\n    "value": "${token}"\n  }\n]`, 'these are the settings:\n[\n  {\n    "name": "UPSTREAM",\n    "slotSetting": false,\n    "value": "[REDACTED:secret]"\n  }\n]'],
      [`[{"name": "UPSTREAM", "value": "${token}"}]`, '[{"name": "UPSTREAM", "value": "[REDACTED:secret]"}]'],
    ],
    [["such an array's settings and hash, another array of names", '[\n  {"name": "GIT_SHA", "value": "8f14e45fceea167a5a36dedd4bea2543a1b2c3d4"},\n  {"name": "WEBSITE_NODE_DEFAULT_VERSION", "value": "~18"}\n]\n[{"name": "Widget", "price": 3, "sku": "WIDGET0001"}]']],
  );
});

describe("Polar's tokens by their prefix (polar_oat_, polar_pat_, polar_at_u_, polar_cs_, polar_whs_) wherever they are", () => {
  const token = "PuPEaGGZbtZMJ9n3GMnu2Lx0nKYPxW83BthPloOJigQ";
  exactAndKept(
    [
      [`I've added the key to the project, it's polar_oat_${token} — can you wire it up?`, "I've added the key to the project, it's [REDACTED:polar-token] — can you wire it up?"],
      [`client = Polar(\n    "polar_at_u_${token}",\n)`, 'client = Polar(\n    "[REDACTED:polar-token]",\n)'],
    ],
    [["a client's id, the prefixes named", "client_id: polar_ci_8Xk2PqL9mN4vR7tY1wZ3\nPolar's tokens start with polar_oat_ or polar_pat_\npolar_oat_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]],
  );
});

describe("a script's variable set alone under a neutral name, then exported by its name (UPSTREAM=… then export UPSTREAM)", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  exactAndKept(
    [[`#!/usr/bin/env bash\nset -euo pipefail\nUPSTREAM=${token}\nexport UPSTREAM\n./run.sh`, "#!/usr/bin/env bash\nset -euo pipefail\nUPSTREAM=[REDACTED:secret]\nexport UPSTREAM\n./run.sh"]],
    [
      ["a setting and a hash exported, a variable not exported", `NODE_ENV=production\necho hi\nGIT_SHA=8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\nexport GIT_SHA NODE_ENV\nUPSTREAM=${token}\necho done`],
    ],
  );
});

describe("a shell script named for the environment it sets (setenv.sh, env.sh, secrets.sh): read as an environment file", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const script = (value: string) => `#!/bin/sh\n# Tomcat's environment\nCATALINA_OPTS="$CATALINA_OPTS -Xmx1g"\n\nUPSTREAM="${value}"\n`;
  printedAndPasted([
    ["cat bin/setenv.sh", script(token), script("[REDACTED:secret]")],
    ["cat scripts/env.sh", script(token), script("[REDACTED:secret]")],
  ]);
  test("kept: other scripts, a setting's name", () => expect(["cat deploy.sh", "cat vars.sh", "cat environment.ts", "cat check-env.py"].map(commandPrints)).toEqual([undefined, undefined, undefined, undefined]));
});

describe("an app's settings table read whole by sqlite3 (name|value rows, an id's cell first or none): a value shaped as a secret", () => {
  const token = "Zx8Cv7Bn6Mq5Lp4KHx9kQ2pLz7wAbCdE";
  const rows = (value: string) => `site_name|My Blog\nupstream|${value}\ngit_sha|8f14e45fceea167a5a36dedd4bea2543a1b2c3d4\n`;
  printedAndPasted([
    [`sqlite3 app.db "select name, value from settings"`, rows(token), rows("[REDACTED:secret]")],
    ["sqlite3 data/app.sqlite 'SELECT * FROM app_config;'", `1|site_name|My Blog\n2|upstream|${token}|2025-11-02\n`, "1|site_name|My Blog\n2|upstream|[REDACTED:secret]|2025-11-02\n"],
  ]);
  test("kept: another table's rows", () => expect(["sqlite3 app.db 'select * from users'", "sqlite3 app.db .tables"].map(commandPrints)).toEqual([undefined, undefined]));
});

describe("a Postman variable of type secret ({\"key\": …, \"value\": \"…\", \"type\": \"secret\"}): its value whatever its key and shape", () => {
  exactAndKept(
    [
      ['{"key": "upstream", "value": "correcthorse42", "type": "secret", "enabled": true}', '{"key": "upstream", "value": "[REDACTED:secret]", "type": "secret", "enabled": true}'],
      ['{\n  "key": "upstream",\n  "value": "correct horse battery",\n  "type": "secret"\n}', '{\n  "key": "upstream",\n  "value": "[REDACTED:secret]",\n  "type": "secret"\n}'],
    ],
    [["a default variable, an empty secret, a placeholder", '{"key": "baseUrl", "value": "https://api.example.com", "type": "default", "enabled": true}\n{"key": "upstream", "value": "", "type": "secret"}\n{"key": "token", "value": "<token>", "type": "secret"}']],
  );
});

describe("a platform's or a store's variable set from the command line (eb setenv, vault kv put, cf set-env, clever env set, sst secret set, glab's and Upsun's --value, koyeb secrets create, dvc remote modify)", () => {
  const key = "Xk9mQ2pL7rT4vW6yZ8aB";
  exactAndKept(
    [
      [`eb setenv UPSTREAM=${key} NODE_ENV=production`, "eb setenv UPSTREAM=[REDACTED:secret] NODE_ENV=production"],
      [`$ vault kv put secret/app upstream=${key} ttl=1h`, "$ vault kv put secret/app upstream=[REDACTED:secret] ttl=1h"],
      [`vault kv patch -mount=secret app upstream=${key}`, "vault kv patch -mount=secret app upstream=[REDACTED:secret]"],
      [`cf set-env api UPSTREAM ${key}`, "cf set-env api UPSTREAM [REDACTED:secret]"],
      [`clever env set UPSTREAM ${key}`, "clever env set UPSTREAM [REDACTED:secret]"],
      [`npx sst secret set Upstream ${key} --stage prod`, "npx sst secret set Upstream [REDACTED:secret] --stage prod"],
      [`glab variable set UPSTREAM --value ${key} --masked`, "glab variable set UPSTREAM --value [REDACTED:secret] --masked"],
      [`upsun variable:create --level project --name env:UPSTREAM --value ${key}`, "upsun variable:create --level project --name env:UPSTREAM --value [REDACTED:secret]"],
      ["koyeb secrets create upstream --value hunter2x", "koyeb secrets create upstream --value [REDACTED:secret]"],
      [`dvc remote modify --local storage secret_access_key ${key}`, "dvc remote modify --local storage secret_access_key [REDACTED:secret]"],
    ],
    [
      [
        "settings, a variable's name, another path",
        "eb setenv NODE_ENV=production LOG_LEVEL=debug\nvault kv put secret/app ttl=1h user=admin\ncf set-env api LOG_LEVEL debug\nsst secret set Upstream $UPSTREAM\nglab variable set DEPLOY_ENV --value production\nupsun variable:create --name env:NODE_ENV --value production\ndvc remote modify storage url s3://bucket/path\ndvc remote modify storage region us-east-1",
      ],
      ["the commands named in prose", "run eb setenv to set them, then vault kv put the rest; cf set-env works too"],
    ],
  );
});

describe("keys of tools a 2026 project wires into Claude Code, with no word naming them: E2B, Browserbase, Apify, Astra DB, Context7, K3s, Elasticsearch's enrollment token and reset password", () => {
  const enrollment =
    "eyJ2ZXIiOiI4LjE0LjAiLCJhZHIiOlsiMTcyLjE4LjAuMjo5MjAwIl0sImZnciI6IjlmOGU3ZDZjNWI0YTM5MjgxNzA2ZjVlNGQzYzJiMWEwOWY4ZTdkNmM1YjRhMzkyODE3MDZmNWU0ZDNjMmIxYTAiLCJrZXkiOiJYazltUTJwTDdyVDR2VzZ5WjhhQjpZdlc2eVo4YUIxY0QzZUY1Z0g3aksifQ==";
  const k3s = "K109f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0::server:Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK";
  exactAndKept(
    [
      ["use e2b_9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c for the sandbox", "use [REDACTED:e2b-api-key] for the sandbox"],
      ['new Browserbase({ apiKey: "bb_live_pbKC2uCFKuZpPtxePtLleB8b4pg" })', 'new Browserbase({ apiKey: "[REDACTED:browserbase-api-key]" })'],
      ['ApifyClient("apify_api_Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1")', 'ApifyClient("[REDACTED:apify-api-token]")'],
      ["DataAPIClient('AstraCS:XkmQpLrTvWyZaBcDeFgHjKlM:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0')", "DataAPIClient('[REDACTED:astra-db-token]')"],
      ['"args": ["-y", "@upstash/context7-mcp", "ctx7sk-bb89b474-c121-4a5b-8c7d-9f8e7d6c5b4a"]', '"args": ["-y", "@upstash/context7-mcp", "[REDACTED:context7-api-key]"]'],
      [`$ k3s token create\n${k3s}`, "$ k3s token create\n[REDACTED:k3s-token]"],
      [`the agents joined with ${k3s} fine`, "the agents joined with [REDACTED:k3s-token] fine"],
      [`• Copy the following enrollment token and paste it into Kibana in your browser (valid for the next 30 minutes):\n  ${enrollment}`, "• Copy the following enrollment token and paste it into Kibana in your browser (valid for the next 30 minutes):\n  [REDACTED:elastic-enrollment-token]"],
      ["$ elasticsearch-reset-password -u elastic\nPassword for the [elastic] user successfully reset.\nNew value: _0vc1k3bl-K*Vx0X6ZQO", "$ elasticsearch-reset-password -u elastic\nPassword for the [elastic] user successfully reset.\nNew value: [REDACTED:password]"],
      ["Password for the [kibana_system] user successfully reset.\nNew value: hunter2x", "Password for the [kibana_system] user successfully reset.\nNew value: [REDACTED:password]"],
      ["$ docker exec es01 bin/elasticsearch-reset-password -u elastic -s -b\nx_0vc1k3bl-K*Vx0X6Z\n$ ls", "$ docker exec es01 bin/elasticsearch-reset-password -u elastic -s -b\n[REDACTED:secret]\n$ ls"],
    ],
    [
      ["packages, names and placeholders sharing the prefixes", "pip install e2b_code_interpreter\nbb_live_session = start()\nfrom apify_api_client import x\nconst token = \"AstraCS:xxxxxxx\";\nCONTEXT7_API_KEY=ctx7sk_...\nK10 ::server: notes"],
      ["another setting reset, the reset tool's error", "Setting successfully reset.\nNew value: 30\n$ elasticsearch-reset-password -u elastic\nERROR: Failed to determine the health of the cluster."],
    ],
  );
  test("the silent reset prints its password alone, as its Bash call's result", () => {
    const prints = commandPrints("bin/elasticsearch-reset-password -u elastic -s -b");
    expect(prints).toBeDefined();
    expect(createRedactor().redactOutput("_0vc1k3bl-K*Vx0X6ZQO\n", prints ?? "key").text).toBe("[REDACTED:secret]\n");
  });
});

describe("keys by their prefix of services an app built with Claude Code calls (Inngest, Trigger.dev, Axiom, HubSpot, Voyage, Jina, RunPod, Cartesia, Daytona, Brave Search, Mem0, PayPal, Stytch, Paddle, Honeycomb, UploadThing)", () => {
  const rows: [key: string, kind: string][] = [
    ["signkey-prod-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0", "inngest-signing-key"],
    ["tr_dev_Xk9mQ2pL7rT4vW6yZ8aB", "trigger-dev-key"],
    ["tr_pat_Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1", "trigger-dev-key"],
    ["xaat-1f2e3d4c-5b6a-4987-8765-43210fedcba9", "axiom-token"],
    ["pat-na1-1f2e3d4c-5b6a-4987-8765-43210fedcba9", "hubspot-private-app-token"],
    ["pa-Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1nO3pQ5r", "voyage-api-key"],
    ["jina_9f8e7d6c5b4a39281706f5e4d3c2b1a0Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5g", "jina-api-key"],
    ["rpa_XK9MQ2PL7RT4VW6YZ8AB1CD3EF5GH7JK9LM1NO3P", "runpod-api-key"],
    ["sk_car_Xk9mQ2pL7rT4vW6yZ8aB1c", "cartesia-api-key"],
    ["dtn_9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0", "daytona-api-key"],
    ["BSAXk9mQ2pL7rT4vW6yZ8aB1cD3eF5", "brave-search-api-key"],
    ["m0-Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1nO3p", "mem0-api-key"],
    ["A21AAXk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1nO3pQ5rS7tU9Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1", "paypal-access-token"],
    ["secret-test-Xk9mQ2pL7rT4vW6yZ8aB1cD3eF5gH7jK9lM1", "stytch-secret"],
    ["pdl_live_apikey_01xk9mq2pl7rt4vw6yz8ab1cd3_Xk9mQ2pL7rT4vW6yZ8aB1c_A1b", "paddle-api-key"],
    ["hcaik_01xk9mq2pl7rt4vw6yz8ab1cd3ef5gh7", "honeycomb-ingest-key"],
    ["eyJhcGlLZXkiOiJza19saXZlXzlmOGU3ZDZjNWI0YTM5MjgxNzA2ZjVlNGQzYzJiMWEwIiwiYXBwSWQiOiJ4azltcTJwbDdyIn0=", "encoded-api-key"],
  ];
  exactAndKept(
    rows.map(([key, kind]) => [`ok, I put ${key} in the config`, `ok, I put [REDACTED:${kind}] in the config`]),
    [
      ["names, words and placeholders sharing the prefixes", "signkey-prod-xxxxxxxx\ntr_dev_your_secret_key\npat-na1-<your-token>\nspa-component pa-ssword-reset-form-with-long-hyphenated-name\nBSAFE_MODE BSAbcdefghijklmnopqrstuvwxyz\nm0-m1-m2 transition\nsecret-test-fixtures-directory-for-the-login-flow"],
    ],
  );
});

describe("secrets and parameters handed to what runs or deploys a workload (act -s, sam/cdk/CloudFormation/az/serverless/gcloud builds parameters, Kustomize's literals, a Zapier MCP server's URL)", () => {
  const key = "Xk9mQ2pL7rT4vW6yZ8aB";
  exactAndKept(
    [
      [`act -s UPSTREAM=${key} -s GITHUB_TOKEN=$GITHUB_TOKEN`, "act -s UPSTREAM=[REDACTED:secret] -s GITHUB_TOKEN=$GITHUB_TOKEN"],
      ["act push -s DEPLOY=hunter2x", "act push -s DEPLOY=[REDACTED:secret]"],
      [`sam deploy --parameter-overrides Upstream=${key} Stage=prod`, "sam deploy --parameter-overrides Upstream=[REDACTED:secret] Stage=prod"],
      [`aws cloudformation deploy --template-file t.yaml --stack-name s --parameter-overrides Upstream=${key}`, "aws cloudformation deploy --template-file t.yaml --stack-name s --parameter-overrides Upstream=[REDACTED:secret]"],
      [`npx cdk deploy --parameters Api:Upstream=${key}`, "npx cdk deploy --parameters Api:Upstream=[REDACTED:secret]"],
      [`az deployment group create -g rg -f main.bicep --parameters upstream=${key}`, "az deployment group create -g rg -f main.bicep --parameters upstream=[REDACTED:secret]"],
      [`serverless deploy --param="upstream=${key}"`, 'serverless deploy --param="upstream=[REDACTED:secret]"'],
      [`gcloud builds submit --substitutions=_ENV=prod,_UPSTREAM=${key},_REGION=eu .`, "gcloud builds submit --substitutions=_ENV=prod,_UPSTREAM=[REDACTED:secret],_REGION=eu ."],
      [`secretGenerator:\n- name: app\n  literals:\n  - upstream=${key}\n  - mode=prod`, "secretGenerator:\n- name: app\n  literals:\n  - upstream=[REDACTED:secret]\n  - mode=prod"],
      [`configMapGenerator:\n- name: app\n  literals:\n    - upstream=${key}`, "configMapGenerator:\n- name: app\n  literals:\n    - upstream=[REDACTED:secret]"],
      [
        "claude mcp add --transport http zapier https://mcp.zapier.com/api/mcp/s/ZjY2Y2M5NTAtMTk4Yy00Y2E1LWJkNjMtOGQ0ZGY2ZTNiNjQ1OjE3MzM2MDAwMDA=/mcp",
        "claude mcp add --transport http zapier https://mcp.zapier.com/api/mcp/s/[REDACTED:zapier-mcp-url]/mcp",
      ],
    ],
    [
      [
        "settings, hashes, ids and variables",
        "sam deploy --parameter-overrides Stage=prod ImageTag=8f14e45fceea167a5a36dedd4bea2543 VpcId=vpc-0a1b2c3d\ncdk deploy --parameters Api:Upstream=$UPSTREAM\ngcloud builds submit --substitutions=_ENV=prod,_SHA=$SHORT_SHA\nact -s GITHUB_TOKEN -s NPM_TOKEN=${{ secrets.NPM }}",
      ],
      ["a generator's settings, a same-indented sibling after its list", "configMapGenerator:\n- name: app\n  literals:\n  - mode=prod\n  - port=8080\n  options:\n    labels: x"],
      ["a Zapier MCP URL's placeholder", "https://mcp.zapier.com/api/mcp/s/YOUR_SECRET_HERE/mcp"],
    ],
  );
});

describe("a list of keys or tokens under a plural name (API_KEYS=k1,k2, \"apiKeys\": [...], Deno's DENO_AUTH_TOKENS=k1@host;k2@host): each item, not only the first", () => {
  const [a, b] = ["Xk9mQ2pL7rT4vW6yZ8aB", "Zq3Wx8Nv5Bm2Lk7Jh4Gf"];
  exactAndKept(
    [
      [`API_KEYS=${a},${b}`, "API_KEYS=[REDACTED:secret],[REDACTED:secret]"],
      [`VALID_API_KEYS="${a} ${b}"`, 'VALID_API_KEYS="[REDACTED:secret] [REDACTED:secret]"'],
      [`"apiKeys": ["${a}", "${b}"]`, '"apiKeys": ["[REDACTED:secret]", "[REDACTED:secret]"]'],
      [`const validApiKeys = ["${a}"];`, 'const validApiKeys = ["[REDACTED:secret]"];'],
      [`DENO_AUTH_TOKENS=${a}@deno.land;${b}@example.com:8080`, "DENO_AUTH_TOKENS=[REDACTED:secret]@deno.land;[REDACTED:secret]@example.com:8080"],
      [`auth_tokens: ${a};${b}`, "auth_tokens: [REDACTED:secret];[REDACTED:secret]"],
    ],
    [
      [
        "counts, code, public keys, variables, placeholders, hashes",
        '"input_tokens": 1234, "access_tokens": 3\nconst apiKeys = Object.keys(config)\nssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx9k2mQ7pL3vR8tW"]\nAPI_KEYS=${API_KEY_1},${API_KEY_2}\nAPI_KEYS=your-key-here,another-key\napi_keys: [key_live_abc, 8f14e45fceea167a5a36dedd4bea2543]\nsort_keys=True, max_tokens=4096',
      ],
    ],
  );
});

describe("a table aligned by spaces or tabs with no rule under its header (influx auth list, NAME  TOKEN  CREATED): the column headed for a secret", () => {
  const token = "Xk9mQ2pL7rT4vW6yZ8aBXk9mQ2pL7rT4vW6yZ8aB-Zq3Wx8Nv5Bm2Lk7Jh4Gf==";
  exactAndKept(
    [
      [
        `$ influx auth list\nID\t\t\tDescription\tToken\t\t\t\t\t\t\t\t\t\t\t\tUser Name\tUser ID\t\t\tPermissions\n0a1b2c3d4e5f6a7b\t\t\t${token}\tadmin\t\t0a1b2c3d4e5f6a7c\t[read:orgs/x]`,
        "$ influx auth list\nID\t\t\tDescription\tToken\t\t\t\t\t\t\t\t\t\t\t\tUser Name\tUser ID\t\t\tPermissions\n0a1b2c3d4e5f6a7b\t\t\t[REDACTED:secret]\tadmin\t\t0a1b2c3d4e5f6a7c\t[read:orgs/x]",
      ],
      [
        `ID                Description  Token                                                             User Name\n0a1b2c3d4e5f6a7b  ci           ${token}  admin`,
        "ID                Description  Token                                                             User Name\n0a1b2c3d4e5f6a7b  ci           [REDACTED:secret]  admin",
      ],
      ["NAME      TOKEN                         CREATED\nci        Xk9mQ2pL7rT4vW6yZ8aBXk9mQ2pL  2026-12-01", "NAME      TOKEN                         CREATED\nci        [REDACTED:secret]  2026-12-01"],
      ["name\ttoken\tcreated\nci\tXk9mQ2pL7rT4vW6yZ8aBXk9mQ2pL\t2026-12-01", "name\ttoken\tcreated\nci\t[REDACTED:secret]\t2026-12-01"],
      ["USERNAME   PASSWORD   ROLE\nalice      hunter2x   admin\nbob        Tr0ub4dor  dev", "USERNAME   PASSWORD   ROLE\nalice      [REDACTED:secret]   admin\nbob        [REDACTED:secret]  dev"],
    ],
    [
      ["a lexer's table of tokens, a count of secrets", "Token      Kind        Example\nIDENT      name        foo\nINT_LIT2   number      42\n\nNAME      SECRETS   AGE\ndefault   1         3d"],
      ["hidden and masked values, an empty column", "NAME      TOKEN                 CREATED\nci        <hidden>              2026-12-01\ncd        ****************      2026-12-02\nqa                              2026-12-03"],
    ],
  );
});

describe("an infrastructure tool's password on its command line or its input (ipmitool -P, racadm -p, rdesktop -p, snmpwalk -A/-X, x11vnc -storepasswd, kinit, openconnect --passwd-on-stdin, sshfs -o password_stdin)", () => {
  exactAndKept(
    [
      ["ipmitool -I lanplus -H 10.0.0.9 -U admin -P hunter2x power status", "ipmitool -I lanplus -H 10.0.0.9 -U admin -P [REDACTED:password] power status"],
      ["racadm -r 10.0.0.9 -u root -p calvin42 getsysinfo", "racadm -r 10.0.0.9 -u root -p [REDACTED:password] getsysinfo"],
      ["rdesktop -u admin -p hunter2x host", "rdesktop -u admin -p [REDACTED:password] host"],
      ["snmpwalk -v3 -u me -l authPriv -a SHA -A Xk9mQ2pL7rT4 -x AES -X Zq3Wx8Nv5Bm2 host", "snmpwalk -v3 -u me -l authPriv -a SHA -A [REDACTED:password] -x AES -X [REDACTED:password] host"],
      ["x11vnc -storepasswd hunter2x ~/.vnc/passwd", "x11vnc -storepasswd [REDACTED:password] ~/.vnc/passwd"],
      ["echo hunter2x | kinit admin@EXAMPLE.COM", "echo [REDACTED:secret] | kinit admin@EXAMPLE.COM"],
      ["openconnect vpn.example.com -u me --passwd-on-stdin <<< 'hunter2x'", "openconnect vpn.example.com -u me --passwd-on-stdin <<< '[REDACTED:secret]'"],
      ["sshfs me@host:/ /mnt -o password_stdin <<< 'hunter2x'", "sshfs me@host:/ /mnt -o password_stdin <<< '[REDACTED:secret]'"],
    ],
    [
      [
        "ports, communities, variables, prompts, the tools in prose",
        "ipmitool -H bmc -p 623 -U admin -P $IPMI_PASS chassis status\nsnmpget -v2c -c public 10.0.0.1 sysDescr.0\nrdesktop -p - host\nx11vnc -storepasswd\necho $KRB_PASS | kinit me\nrun kinit first, then openconnect",
      ],
    ],
  );
});

describe("sbt's credentials written in a build (Credentials(realm, host, user, password)): the fourth argument", () => {
  exactAndKept(
    [
      [
        'credentials += Credentials("Sonatype Nexus Repository Manager", "nexus.example.com", "deploy", "Xk9mQ2pL7rT4vW6yZ8aB")',
        'credentials += Credentials("Sonatype Nexus Repository Manager", "nexus.example.com", "deploy", "[REDACTED:password]")',
      ],
      ['credentials += Credentials("Artifactory Realm", "artifactory.example.com", sys.env("USER"), "hunter2x")', 'credentials += Credentials("Artifactory Realm", "artifactory.example.com", sys.env("USER"), "[REDACTED:password]")'],
    ],
    [
      [
        "a credentials file, a password from the environment",
        'credentials += Credentials(Path.userHome / ".sbt" / ".credentials")\ncredentials += Credentials("Realm", "nexus.example.com", "deploy", sys.env("NEXUS_PASSWORD"))',
      ],
    ],
  );
});

describe("a workload's environment written in Terraform, and as terraform plan shows it (a Lambda's variables = { … }, environment_variables, app_settings, a container's env { name value })", () => {
  const key = "Xk9mQ2pL7rT4vW6yZ8aB";
  exactAndKept(
    [
      [
        `resource "aws_lambda_function" "api" {\n  environment {\n    variables = {\n      UPSTREAM = "${key}"\n      NODE_ENV = "production"\n    }\n  }\n}`,
        'resource "aws_lambda_function" "api" {\n  environment {\n    variables = {\n      UPSTREAM = "[REDACTED:secret]"\n      NODE_ENV = "production"\n    }\n  }\n}',
      ],
      [`template {\n  containers {\n    env {\n      name  = "UPSTREAM"\n      value = "${key}"\n    }\n  }\n}`, 'template {\n  containers {\n    env {\n      name  = "UPSTREAM"\n      value = "[REDACTED:secret]"\n    }\n  }\n}'],
      [`  environment_variables = {\n    UPSTREAM = "${key}"\n  }`, '  environment_variables = {\n    UPSTREAM = "[REDACTED:secret]"\n  }'],
      [`  app_settings = {\n    "UPSTREAM" = "${key}"\n  }`, '  app_settings = {\n    "UPSTREAM" = "[REDACTED:secret]"\n  }'],
      [
        `$ terraform plan\n      ~ environment {\n          ~ variables = {\n              ~ "UPSTREAM" = "Zq3Wx8Nv5Bm2Lk7Jh4Gf" -> "${key}"\n              + "EXTRA"    = "${key}"\n                "NODE_ENV" = "production"\n            }\n        }`,
        '$ terraform plan\n      ~ environment {\n          ~ variables = {\n              ~ "UPSTREAM" = "[REDACTED:secret]" -> "[REDACTED:secret]"\n              + "EXTRA"    = "[REDACTED:secret]"\n                "NODE_ENV" = "production"\n            }\n        }',
      ],
    ],
    [
      [
        "settings, references, versions, URLs",
        'environment {\n  variables = {\n    UPSTREAM  = var.upstream\n    TOKEN     = data.aws_ssm_parameter.token.value\n    LOG_LEVEL = "debug"\n    API_URL   = "https://api.example.com/v2"\n    VERSION   = "1.24.3"\n  }\n}\nenv {\n  name  = "GIT_SHA"\n  value = "8f14e45fceea167a5a36dedd4bea2543"\n}',
      ],
    ],
  );
});

describe("an MCP server's environment given with -e to what adds or runs it (claude mcp add, gemini mcp add, the MCP inspector)", () => {
  const key = "Xk9mQ2pL7rT4vW6yZ8aB";
  exactAndKept(
    [
      [`claude mcp add upstream -e UPSTREAM=${key} -- npx -y upstream-mcp`, "claude mcp add upstream -e UPSTREAM=[REDACTED:secret] -- npx -y upstream-mcp"],
      [`claude mcp add -s user x -e UPSTREAM=${key} -e NODE_ENV=production -- npx -y x`, "claude mcp add -s user x -e UPSTREAM=[REDACTED:secret] -e NODE_ENV=production -- npx -y x"],
      [`gemini mcp add x -e UPSTREAM=${key} npx x`, "gemini mcp add x -e UPSTREAM=[REDACTED:secret] npx x"],
      [`npx @modelcontextprotocol/inspector -e UPSTREAM=${key} node build/index.js`, "npx @modelcontextprotocol/inspector -e UPSTREAM=[REDACTED:secret] node build/index.js"],
    ],
    [["settings, a hash, a variable", "claude mcp add x -e GIT_SHA=8f14e45fceea167a5a36dedd4bea2543 -e UPSTREAM=$UPSTREAM -e LOG_LEVEL=debug -- npx x"]],
  );
});

describe("a service's token given to its CLI by a short flag or as an operand (Smithery's --key, snyk auth, Codecov's -t, mosquitto_pub -P)", () => {
  const uuid = "3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8";
  exactAndKept(
    [
      [`npx -y @smithery/cli@latest install @foo/bar --client claude --key ${uuid}`, "npx -y @smithery/cli@latest install @foo/bar --client claude --key [REDACTED:secret]"],
      [`npx -y @smithery/cli run @foo/bar --key ${uuid}`, "npx -y @smithery/cli run @foo/bar --key [REDACTED:secret]"],
      [
        `{"mcpServers": {"bar": {"command": "npx", "args": [\n        "-y",\n        "@smithery/cli@latest",\n        "run",\n        "@foo/bar",\n        "--key",\n        "${uuid}"\n      ]}}}`,
        `{"mcpServers": {"bar": {"command": "npx", "args": [\n        "-y",\n        "@smithery/cli@latest",\n        "run",\n        "@foo/bar",\n        "--key",\n        "[REDACTED:secret]"\n      ]}}}`,
      ],
      [`snyk auth ${uuid}`, "snyk auth [REDACTED:secret]"],
      [`snyk config set api=${uuid}`, "snyk config set api=[REDACTED:secret]"],
      [`codecov -t ${uuid}`, "codecov -t [REDACTED:secret]"],
      [`bash <(curl -s https://codecov.io/bash) -t ${uuid}`, "bash <(curl -s https://codecov.io/bash) -t [REDACTED:secret]"],
      [`codecovcli upload-process -t ${uuid}`, "codecovcli upload-process -t [REDACTED:secret]"],
      ["mosquitto_pub -h broker -u alice -P Hunt3r!x9qZ -t t -m hi", "mosquitto_pub -h broker -u alice -P [REDACTED:password] -t t -m hi"],
      ["mosquitto_sub -h broker -p 8883 -u alice -P 'Hunt3r!x9qZ' -t '#'", "mosquitto_sub -h broker -p 8883 -u alice -P '[REDACTED:password]' -t '#'"],
    ],
    [["variables, prose, a port", "npx -y @smithery/cli run @foo/bar --key $SMITHERY_KEY\nrun snyk auth first\ncodecov -t ${{ secrets.CODECOV_TOKEN }}\nmosquitto_pub -h broker -p 1883 -t t -m hi\nsnyk config set org=my-team"]],
  );
});

describe("an FTP client scripted by a here-document (ftp -n host <<EOF, lftp, ncftp): its login lines' passwords", () => {
  exactAndKept(
    [
      ["ftp -n ftp.example.com <<EOF\nuser deploy Hunt3r!x9q\nput site.tar.gz\nEOF", "ftp -n ftp.example.com <<EOF\nuser deploy [REDACTED:password]\nput site.tar.gz\nEOF"],
      [
        "$ ftp -inv ftp.example.com <<END_SCRIPT\nquote USER alice\nquote PASS Hunt3r!x9q\nbinary\nquit\nEND_SCRIPT",
        "$ ftp -inv ftp.example.com <<END_SCRIPT\nquote USER alice\nquote PASS [REDACTED:password]\nbinary\nquit\nEND_SCRIPT",
      ],
      ["lftp sftp://host <<EOF\nlogin alice 'Hunt3r!x9q'\nmirror -R\nEOF", "lftp sftp://host <<EOF\nlogin alice '[REDACTED:password]'\nmirror -R\nEOF"],
      ["lftp <<EOF\nopen -u alice,Hunt3r!x9q ftp.example.com\nmirror -R dist /www\nEOF", "lftp <<EOF\nopen -u alice,[REDACTED:password] ftp.example.com\nmirror -R dist /www\nEOF"],
      ["ncftp <<EOF\nopen host\nuser alice Hunt3r!x9q\nEOF", "ncftp <<EOF\nopen host\nuser alice [REDACTED:password]\nEOF"],
    ],
    [
      ["variables, anonymous FTP, passive mode", "ftp -n $HOST <<-EOF\n\tuser $FTP_USER $FTP_PASS\n\tuser anonymous me@example.com\n\tpass\n\tuser me\n\tput f\nEOF"],
      ["another command's here-document", "sftp user@host <<EOF\nput f\nEOF\ncat <<EOF\nuser alice Hunt3r!x9q\nEOF"],
    ],
  );
});

describe("an environment's lines in a CI or a container's log, each after its time (GitHub Actions, GitLab, Buildkite, BuildKit, Heroku, docker logs -t): read as they stand without it", () => {
  const key = "Xk9mQ2pL7rT4vW6yZ8aB3nC5";
  const gh = "2026-12-07T10:00:00.1234567Z ";
  exactAndKept(
    [
      [`${gh}UPSTREAM=${key}\n${gh}NODE_ENV=production`, `${gh}UPSTREAM=[REDACTED:secret]\n${gh}NODE_ENV=production`],
      [
        `${gh}##[group]Run npm test\n${gh}shell: /usr/bin/bash -e {0}\n${gh}env:\n${gh}  NODE_ENV: production\n${gh}  UPSTREAM: ${key}\n${gh}##[endgroup]`,
        `${gh}##[group]Run npm test\n${gh}shell: /usr/bin/bash -e {0}\n${gh}env:\n${gh}  NODE_ENV: production\n${gh}  UPSTREAM: [REDACTED:secret]\n${gh}##[endgroup]`,
      ],
      [`2026-12-07T10:00:00.123456Z 00O UPSTREAM=${key}\n2026-12-07T10:00:00.123457Z 00O NODE_ENV=production`, "2026-12-07T10:00:00.123456Z 00O UPSTREAM=[REDACTED:secret]\n2026-12-07T10:00:00.123457Z 00O NODE_ENV=production"],
      [`[2026-12-07T10:00:00Z] UPSTREAM=${key}\n[2026-12-07T10:00:00Z] NODE_ENV=production`, "[2026-12-07T10:00:00Z] UPSTREAM=[REDACTED:secret]\n[2026-12-07T10:00:00Z] NODE_ENV=production"],
      [`#12 0.345 UPSTREAM=${key}\n#12 0.346 NODE_ENV=production`, "#12 0.345 UPSTREAM=[REDACTED:secret]\n#12 0.346 NODE_ENV=production"],
      [
        `2026-12-07T10:00:00.123456+00:00 app[web.1]: UPSTREAM=${key}\n2026-12-07T10:00:00.123456+00:00 app[web.1]: NODE_ENV=production`,
        "2026-12-07T10:00:00.123456+00:00 app[web.1]: UPSTREAM=[REDACTED:secret]\n2026-12-07T10:00:00.123456+00:00 app[web.1]: NODE_ENV=production",
      ],
      [
        `2026-12-07T10:00:00.123456789Z PATH=/usr/local/bin:/usr/bin\n2026-12-07T10:00:00.123456789Z HOME=/root\n2026-12-07T10:00:00.123456789Z HOSTNAME=api-7d9f\n2026-12-07T10:00:00.123456789Z UPSTREAM=${key}`,
        "2026-12-07T10:00:00.123456789Z PATH=/usr/local/bin:/usr/bin\n2026-12-07T10:00:00.123456789Z HOME=/root\n2026-12-07T10:00:00.123456789Z HOSTNAME=api-7d9f\n2026-12-07T10:00:00.123456789Z UPSTREAM=[REDACTED:secret]",
      ],
      [`api-1  | 2026-12-07T10:00:00.123456789Z UPSTREAM=${key}\napi-1  | 2026-12-07T10:00:00.123456789Z NODE_ENV=production`, "api-1  | 2026-12-07T10:00:00.123456789Z UPSTREAM=[REDACTED:secret]\napi-1  | 2026-12-07T10:00:00.123456789Z NODE_ENV=production"],
      [`     1→${gh}UPSTREAM=${key}\n     2→${gh}NODE_ENV=production`, `     1→${gh}UPSTREAM=[REDACTED:secret]\n     2→${gh}NODE_ENV=production`],
    ],
    [
      ["one line under a neutral name, settings and hashes, logfmt's ids", `${gh}UPSTREAM=${key}\n\n${gh}GIT_SHA=8f14e45fceea167a5a36dedd4bea2543\n${gh}NODE_ENV=production\n${gh}BUILD_ID=20261207.3\n${gh}level=info msg="done" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7`],
    ],
  );
});

describe("Vault's unseal key and root token's parts on a command line, the OTP generate-root prints, and a cluster's gossip key (consul keygen, nomad)", () => {
  const gossip = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=";
  const otp = "dTEOTcAyfkaZ3pDLpXGzO5QiK5H6";
  printedAndPasted([
    ["consul keygen", gossip, "[REDACTED:secret]"],
    ["nomad operator gossip keyring generate", gossip, "[REDACTED:secret]"],
    ["nomad operator keygen", gossip, "[REDACTED:secret]"],
    [
      "vault operator generate-root -init",
      `Nonce         2dbd10f1-8528-6246-09e7-82b25b8aba63\nStarted       true\nProgress      0/1\nComplete      false\nOTP           ${otp}\nOTP Length    28`,
      "Nonce         2dbd10f1-8528-6246-09e7-82b25b8aba63\nStarted       true\nProgress      0/1\nComplete      false\nOTP           [REDACTED:secret]\nOTP Length    28",
    ],
    ["vault operator generate-root -init -format=json", `{\n  "nonce": "2dbd10f1-8528-6246-09e7-82b25b8aba63",\n  "otp": "${otp}",\n  "otp_length": 28\n}`, '{\n  "nonce": "2dbd10f1-8528-6246-09e7-82b25b8aba63",\n  "otp": "[REDACTED:secret]",\n  "otp_length": 28\n}'],
  ]);
  exactAndKept(
    [
      [`vault operator unseal ${gossip}`, "vault operator unseal [REDACTED:secret]"],
      [`vault operator unseal -migrate ${gossip}`, "vault operator unseal -migrate [REDACTED:secret]"],
      [`vault operator generate-root -decode=G2MWH0Y5LxApGCMVAyMzP1tZHwx4fAMQCDMIDy4pExc -otp=${otp}`, "vault operator generate-root -decode=[REDACTED:secret] -otp=[REDACTED:secret]"],
    ],
    [["a prompt, variables, a two-factor code", 'vault operator unseal\nvault operator unseal -reset\nvault operator generate-root -decode="$ENCODED" -otp="$OTP"\n{"otp": "482913"}\nOTP           482913']],
  );
});

describe("Anaconda's token in a private channel's URL (https://conda.anaconda.org/t/<token>/acme, repo.anaconda.cloud/t/<token>/…)", () => {
  exactAndKept(
    [
      ["channels:\n  - https://conda.anaconda.org/t/ab-1f2e3d4c-5b6a-4987-8765-43210fedcba9/acme\n  - conda-forge", "channels:\n  - https://conda.anaconda.org/t/[REDACTED:secret]/acme\n  - conda-forge"],
      ["conda config --add channels https://conda.anaconda.org/t/Xk9mQ2pL7rT4vW6yZ8aB3nC5/acme", "conda config --add channels https://conda.anaconda.org/t/[REDACTED:secret]/acme"],
      ["channel_alias: https://repo.anaconda.cloud/t/Xk9mQ2pL7rT4vW6yZ8aB3nC5/repo", "channel_alias: https://repo.anaconda.cloud/t/[REDACTED:secret]/repo"],
      ['channels = ["conda-forge", "https://conda.anaconda.org/t/Xk9mQ2pL7rT4vW6yZ8aB3nC5/acme"]', 'channels = ["conda-forge", "https://conda.anaconda.org/t/[REDACTED:secret]/acme"]'],
    ],
    [["a placeholder, no token, a public channel", "https://conda.anaconda.org/t/<TOKEN>/acme https://anaconda.org/t/ https://conda.anaconda.org/conda-forge/linux-64/repodata.json"]],
  );
});

describe("an MCP server's environment and headers as other agents' configs write them (Codex's TOML inline tables, opencode's \"environment\", Goose's envs:)", () => {
  const key = "Xk9mQ2pL7rT4vW6yZ8aB3nC5";
  exactAndKept(
    [
      [`[mcp_servers.upstream]\ncommand = "npx"\nargs = ["-y", "upstream-mcp"]\nenv = { "UPSTREAM" = "${key}" }`, '[mcp_servers.upstream]\ncommand = "npx"\nargs = ["-y", "upstream-mcp"]\nenv = { "UPSTREAM" = "[REDACTED:secret]" }'],
      [`env = { UPSTREAM = "${key}", LOG_LEVEL = "debug" }`, 'env = { UPSTREAM = "[REDACTED:secret]", LOG_LEVEL = "debug" }'],
      [`[mcp_servers.upstream]\nurl = "https://mcp.upstream.dev/mcp"\nhttp_headers = { "X-Upstream" = "${key}" }`, '[mcp_servers.upstream]\nurl = "https://mcp.upstream.dev/mcp"\nhttp_headers = { "X-Upstream" = "[REDACTED:secret]" }'],
      [
        `{"mcp": {"upstream": {"type": "local", "command": ["npx", "upstream-mcp"], "environment": {"UPSTREAM": "${key}"}}}}`,
        '{"mcp": {"upstream": {"type": "local", "command": ["npx", "upstream-mcp"], "environment": {"UPSTREAM": "[REDACTED:secret]"}}}}',
      ],
      [`extensions:\n  upstream:\n    cmd: npx\n    envs:\n      UPSTREAM: ${key}\n    timeout: 300`, "extensions:\n  upstream:\n    cmd: npx\n    envs:\n      UPSTREAM: [REDACTED:secret]\n    timeout: 300"],
    ],
    [
      ["variables' names, settings, a deployment's environment", 'env_http_headers = { "X-Api-Key" = "UPSTREAM_API_KEY" }\nenv = { RUST_LOG = "debug", PORT = "3000" }\nhttp_headers = { "Content-Type" = "application/json" }\n{"environment": {"name": "production", "url": "https://app.example.com"}}\nenvs: {}\nenv_keys:\n  - UPSTREAM'],
    ],
  );
});

describe("a backup's password given as a command that echoes it (restic's --password-command, RESTIC_PASSWORD_COMMAND, borg's BORG_PASSCOMMAND)", () => {
  exactAndKept(
    [
      ["restic -r /srv/repo --password-command 'echo Hunt3r!x9qZ' snapshots", "restic -r /srv/repo --password-command 'echo [REDACTED:password]' snapshots"],
      ["restic -r s3:x --password-command=\"echo 'Hunt3r!x9qZ'\" backup ~", "restic -r s3:x --password-command=\"echo '[REDACTED:password]'\" backup ~"],
      ['export RESTIC_PASSWORD_COMMAND="echo Hunt3r!x9qZ"', 'export RESTIC_PASSWORD_COMMAND="echo [REDACTED:password]"'],
      ["BORG_PASSCOMMAND='echo Hunt3r!x9qZ' borg list ::", "BORG_PASSCOMMAND='echo [REDACTED:password]' borg list ::"],
      ["export BORG_PASSCOMMAND=\"printf '%s' Hunt3r!x9qZ\"", "export BORG_PASSCOMMAND=\"printf '%s' [REDACTED:password]\""],
    ],
    [["a store, a file, a variable", "restic --password-command 'pass show backup' snapshots\nexport BORG_PASSCOMMAND=\"cat $HOME/.borg-pass\"\nBORG_PASSCOMMAND='echo $BORG_PW'\nrestic --password-command \"echo ${RESTIC_PW}\""]],
  );
});

describe("NATS nkey seeds (SU…, SA…, SO…: a .creds file, nsc's and nk's output) and a minisign secret key's file in base64 (as tauri signer generate prints it)", () => {
  const user = "SUAUJZDEGXDNCF32EPF3DHODZDOCIS2JHTLGMXGEDN73U55XTPLPFT7V4S";
  const account = "SAAEH2KVJ72CEUVW75EFR6EDT4SYWB5WKH7DNSIPZZ7FK4ZRI3R2WYOJFL";
  const file =
    "dW50cnVzdGVkIGNvbW1lbnQ6IHJzaWduIGVuY3J5cHRlZCBzZWNyZXQga2V5ClJXUlRZMEl5Smp1b093TjgxSll1UTBnQkpXdUlYcHlRVWZNZ3NOdUQ4NTZucmIwTmRPYmV4L1BmcnN5UFpHVm1aQnA3b21ZUE1CSDhOWEFwSEZlWkRSb0FrU2FKR2ZKZG5RWVMzeldkWUNhaVFQUlltbDE1SHgzWmZQNzZkM3A3VHhVa0dyOVh2VU42MUxFcGhBVTA4L09IWENXd2krb0d3b2RNK3FUZEY3TFlRb1JkNkNwYnhUbUlpc2VBVktJNW5NL0ovTUxhTWM0OTBXYTl6VG89Cg==";
  const publicFile = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDFBMkIzQzRENUU2RjdBOEIKUldRemhINWJ1d2Y5QjhwSGVFSXhzWnIwV0hMTzc3bjhXZlQ1WFJRNEdqcDRNbFkwZTUvODVwelgK";
  exactAndKept(
    [
      [
        `-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJK\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${user}\n------END USER NKEY SEED------`,
        "-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJK\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n[REDACTED:nats-nkey-seed]\n------END USER NKEY SEED------",
      ],
      [`$ nk -gen account -pubout\n${account}\nACZSWBJ4SYILK7QVDELO64VX3EFWB6CXCPMEBN3AL5L2RH3HB7SUJ4VC`, "$ nk -gen account -pubout\n[REDACTED:nats-nkey-seed]\nACZSWBJ4SYILK7QVDELO64VX3EFWB6CXCPMEBN3AL5L2RH3HB7SUJ4VC"],
      [`authorization: { users: [ { nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4, seed: "${user}" } ] }`, 'authorization: { users: [ { nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4, seed: "[REDACTED:nats-nkey-seed]" } ] }'],
      [`$ cat ~/.tauri/myapp.key\n${file}`, "$ cat ~/.tauri/myapp.key\n[REDACTED:minisign-secret-key]"],
      [
        `$ npx tauri signer generate -w ~/.tauri/myapp.key\nYour keypair was generated successfully\nPrivate: ~/.tauri/myapp.key (Keep it secret!)\n${file}\n\nPublic: ~/.tauri/myapp.key.pub\n${publicFile}`,
        `$ npx tauri signer generate -w ~/.tauri/myapp.key\nYour keypair was generated successfully\nPrivate: ~/.tauri/myapp.key (Keep it secret!)\n[REDACTED:minisign-secret-key]\n\nPublic: ~/.tauri/myapp.key.pub\n${publicFile}`,
      ],
    ],
    [
      ["public keys: nkeys, minisign's and a Tauri app's", `│ Account ID │ ACZSWBJ4SYILK7QVDELO64VX3EFWB6CXCPMEBN3AL5L2RH3HB7SUJ4VC │\noperator: ODSKR7MYFQZ5MMAJ6FPMEEJKB7PRJOZOLSFSXLNDCWBSVBLGIIVBIZQJ\nminisign -Vm app.tar.gz -P RWQzhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzX\n"pubkey": "${publicFile}"`],
      ["words and a DNS record sharing the prefixes", "SOA ns1.example.com. hostmaster.example.com. 2026120701 7200 3600\nSUAVE SNAPSHOTS SCARY SAAS\ndW50cnVzdGVkIGNvbW1lbnQ6IHJzaWduIGVuY3J5cHRlZCBzZWNyZXQga2V5 is the comment line encoded"],
    ],
  );
});

describe("a registry's password after -p, in the clients that copy docker login's flags (podman, buildah, nerdctl, skopeo, oras, helm registry, crane auth, regctl registry)", () => {
  exactAndKept(
    [
      ["podman login -u me -p Xy7pQ2vL9k quay.io", "podman login -u me -p [REDACTED:password] quay.io"],
      ["buildah login --tls-verify=false -u me -p 'Xy7p&Q2vL9k' localhost:5000", "buildah login --tls-verify=false -u me -p '[REDACTED:password]' localhost:5000"],
      ["nerdctl login -u me -p Xy7pQ2vL9k ghcr.io", "nerdctl login -u me -p [REDACTED:password] ghcr.io"],
      ["skopeo login -u me -p Xy7pQ2vL9k quay.io", "skopeo login -u me -p [REDACTED:password] quay.io"],
      ["oras login -u me -p Xy7pQ2vL9k ghcr.io", "oras login -u me -p [REDACTED:password] ghcr.io"],
      ["helm registry login registry.example.com -u me -p Xy7pQ2vL9k", "helm registry login registry.example.com -u me -p [REDACTED:password]"],
      ["crane auth login ghcr.io -u me -p Xy7pQ2vL9k", "crane auth login ghcr.io -u me -p [REDACTED:password]"],
      ["regctl registry login ghcr.io -u me -p Xy7pQ2vL9k", "regctl registry login ghcr.io -u me -p [REDACTED:password]"],
    ],
    [
      [
        "a port, another subcommand's -p, a variable, the password read from input",
        "podman run -p 8080:80 nginx && podman login quay.io\noras push ghcr.io/me/a:1 -p x\nhelm install x -p y\npodman login -u me -p $QUAY_PASSWORD quay.io\ncrane auth login ghcr.io -u me --password-stdin",
      ],
    ],
  );
});

describe("a wallet's private key given to the call that loads it (web3.py's Account.from_key, Solana's Keypair.fromSecretKey(bs58.decode(…)), solders' from_base58_string)", () => {
  const hex = "0x3f9a1c7e2b8d4f60a5e1c9b7d2f48a6e1c9b7d2f48a6e3f9a1c7e2b8d4f60a5";
  const b58 = "3D4YudUahN1nawWogh8pAKSj92sUNMdbZGjn7kERKzYoTy8tnFQuwoGUC51DowKqorvkr2pytJSnwuSbsNVfqygr";
  exactAndKept(
    [
      [`acct = w3.eth.account.from_key("${hex}")`, 'acct = w3.eth.account.from_key("[REDACTED:secret]")'],
      [`signer = Account.from_key('${hex}')`, "signer = Account.from_key('[REDACTED:secret]')"],
      [`const payer = Keypair.fromSecretKey(bs58.decode("${b58}"));`, 'const payer = Keypair.fromSecretKey(bs58.decode("[REDACTED:secret]"));'],
      [`payer = Keypair.from_base58_string("${b58}")`, 'payer = Keypair.from_base58_string("[REDACTED:secret]")'],
    ],
    [["a variable, the environment, a file's bytes", "acct = Account.from_key(os.environ[\"PRIVATE_KEY\"])\nconst payer = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(path, \"utf8\"))));\nKeypair.fromSecretKey(bs58.decode(process.env.SOLANA_KEY))"]],
  );
});

describe("a wallet's mnemonic after a label of its own (Ganache's and Anvil's Mnemonic:, cast wallet new-mnemonic's Phrase: above it, Sui's recoveryPhrase row)", () => {
  const words = "myth like bonus scare over problem client lizard pioneer submit female collect";
  exactAndKept(
    [
      [`HD Wallet\n==================\nMnemonic:      ${words}\nBase HD Path:  m/44'/60'/0'/0/{account_index}`, "HD Wallet\n==================\nMnemonic:      [REDACTED:secret]\nBase HD Path:  m/44'/60'/0'/0/{account_index}"],
      [`Successfully generated a new mnemonic.\nPhrase:\n${words}\n\nAccounts:`, "Successfully generated a new mnemonic.\nPhrase:\n[REDACTED:secret]\n\nAccounts:"],
      [`│ keyScheme      │ ed25519 │\n│ recoveryPhrase │ ${words} │`, "│ keyScheme      │ ed25519 │\n│ recoveryPhrase │ [REDACTED:secret] │"],
    ],
    [
      [
        "a mnemonic read from the environment, prose after a phrase's label, a sentence's words",
        "accounts: { mnemonic: process.env.MNEMONIC }\nPhrase: the quick brown fox jumps over the lazy dog and then some more words here\nmnemonic: a way to remember a list of things such as planets in their order from here",
      ],
    ],
  );
});

describe("deploy and build hook URLs whose path is their key (Vercel's, Netlify's, Render's)", () => {
  exactAndKept(
    [
      ["curl -X POST https://api.vercel.com/v1/integrations/deploy/prj_98g22o5YUFVHlKOzj9vKPTyN2SDG/tKybBxqhQs", "curl -X POST https://api.vercel.com/v1/integrations/deploy/prj_98g22o5YUFVHlKOzj9vKPTyN2SDG/[REDACTED:deploy-hook]"],
      ["curl -X POST -d {} https://api.netlify.com/build_hooks/5c23354f454e1350f8543e78", "curl -X POST -d {} https://api.netlify.com/build_hooks/[REDACTED:deploy-hook]"],
      ['DEPLOY_HOOK: "https://api.render.com/deploy/srv-c3nbb4qg6ndtgfv5kqvg?key=Pq8ZVz-Wr3E"', 'DEPLOY_HOOK: "https://api.render.com/deploy/srv-c3nbb4qg6ndtgfv5kqvg?key=[REDACTED:deploy-hook]"'],
    ],
    [["the APIs' other paths, a variable", "GET https://api.vercel.com/v1/integrations/deploy/prj_98g22o5YUFVHlKOzj9vKPTyN2SDG\nhttps://api.netlify.com/build_hooks/${HOOK_ID}\nhttps://api.netlify.com/api/v1/sites/5c23354f454e1350f8543e78/builds\nhttps://api.render.com/deploy/srv-c3nbb4qg6ndtgfv5kqvg?key=${RENDER_KEY}"]],
  );
});

describe("a Teleport user's sign-up or reset link (tctl users add, tctl users reset): the token after /web/invite/ or /web/reset/", () => {
  exactAndKept(
    [
      [
        'User "joe" has been created but requires a password. Share this URL with the user to complete user setup, link is valid for 1h:\nhttps://teleport.example.com:443/web/invite/3f9a1c7e2b8d4f60a5e1c9b7d2f48a6e\n\nNOTE: Make sure teleport.example.com:443 points at a Teleport proxy which users can access.',
        'User "joe" has been created but requires a password. Share this URL with the user to complete user setup, link is valid for 1h:\nhttps://teleport.example.com:443/web/invite/[REDACTED:teleport-invite]\n\nNOTE: Make sure teleport.example.com:443 points at a Teleport proxy which users can access.',
      ],
      ["open https://tele.acme.io/web/reset/9b7d2f48a6e3f9a1c7e2b8d4f60a5e1c to set a new password", "open https://tele.acme.io/web/reset/[REDACTED:teleport-invite] to set a new password"],
    ],
    [["the pages without a token, a placeholder", "https://teleport.example.com/web/invite/\nhttps://tele.acme.io/web/reset/<token>\nhttps://tele.acme.io/web/invite/abcdefabcdefabcdefabcdefabcdefab"]],
  );
});

describe("doppler secrets --raw: its RAW column, as its VALUE column, every value but Doppler's own rows", () => {
  const box = (value: string, raw: string) =>
    `┌─────────────────┬──────────────┬──────────────┐\n│ NAME            │ VALUE        │ RAW          │\n├─────────────────┼──────────────┼──────────────┤\n│ DOPPLER_CONFIG  │ prd          │ prd          │\n├─────────────────┼──────────────┼──────────────┤\n│ STRIPE          │ ${value} │ ${raw} │\n└─────────────────┴──────────────┴──────────────┘\n`;
  exactAndKept([[`$ doppler secrets --raw\n${box("correcthorse", "correcthorse")}`, `$ doppler secrets --raw\n${box("[REDACTED:secret]", "[REDACTED:secret]")}`]], [["another command's box of three columns", `$ doppler configs\n${box("correcthorse", "correcthorse").replace("│ NAME            │ VALUE        │ RAW          │", "│ NAME            │ ENVIRONMENT  │ PROJECT      │")}`]]);
});

describe("a password hash as Traefik's Compose label ($ doubled) and Caddy's basic_auth block (a user and a space) write it", () => {
  exactAndKept(
    [
      [
        'labels:\n  - "traefik.http.middlewares.auth.basicauth.users=admin:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/"',
        'labels:\n  - "traefik.http.middlewares.auth.basicauth.users=admin:[REDACTED:password-hash]"',
      ],
      [
        "example.com {\n  basic_auth /admin/* {\n    Bob $2a$14$Zkx19XLiW6VYouLHR5NmfOFU0z2GTNmpkT/5qqR7hx4IjWJPDhjvG\n  }\n}",
        "example.com {\n  basic_auth /admin/* {\n    Bob [REDACTED:password-hash]\n  }\n}",
      ],
    ],
    [["prose naming the schemes, a price", "bcrypt hashes start with $2a$ or $2y$\nthe $$apr1$$ form is for Compose files\ncost: $5$ each"]],
  );
});

describe("a header a web server adds named for a secret (nginx's proxy_set_header X-Api-Key …;, Apache's RequestHeader set …), unquoted", () => {
  exactAndKept(
    [
      [
        "location /api/ {\n    proxy_pass https://upstream.example.com;\n    proxy_set_header X-Api-Key q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa;\n    proxy_set_header Host $host;\n}",
        "location /api/ {\n    proxy_pass https://upstream.example.com;\n    proxy_set_header X-Api-Key [REDACTED:secret];\n    proxy_set_header Host $host;\n}",
      ],
      ["proxy_set_header X-Auth-Token Zq8Lm2vX9kR4Tn7W;", "proxy_set_header X-Auth-Token [REDACTED:secret];"],
      ["grpc_set_header x-api-key q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa;", "grpc_set_header x-api-key [REDACTED:secret];"],
      ["RequestHeader set X-Upstream-Token q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa", "RequestHeader set X-Upstream-Token [REDACTED:secret]"],
    ],
    [["nginx's variables, other headers", 'proxy_set_header x-api-key $http_x_api_key;\nproxy_set_header X-Real-IP $remote_addr;\nadd_header X-Frame-Options DENY;\nproxy_set_header X-Secret-Header on;']],
  );
});

describe("MicroK8s' join token, as microk8s add-node prints the command (microk8s join <host>:25000/<token>/<hash>)", () => {
  exactAndKept(
    [
      [
        "From the node you wish to join to this cluster, run the following:\nmicrok8s join 192.168.1.230:25000/92b2db237428470dc4fcfc4ebbd9dc81/2c0cb3284b05\n\nIf the node you are adding is not reachable through the default interface you can use one of the following:\nmicrok8s join 10.0.0.5:25000/92b2db237428470dc4fcfc4ebbd9dc81/2c0cb3284b05 --worker",
        "From the node you wish to join to this cluster, run the following:\nmicrok8s join 192.168.1.230:25000/[REDACTED:microk8s-join-token]/2c0cb3284b05\n\nIf the node you are adding is not reachable through the default interface you can use one of the following:\nmicrok8s join 10.0.0.5:25000/[REDACTED:microk8s-join-token]/2c0cb3284b05 --worker",
      ],
    ],
    [["the command without its token, a placeholder", "microk8s join 192.168.1.230:25000\nmicrok8s join <ip>:25000/<token>/<hash>\nrun microk8s join on the new node"]],
  );
});

describe("an SDK's client made with its key as the first argument (cohere.Client(\"…\"), DeepgramClient(\"…\")): a key drawn at random", () => {
  exactAndKept(
    [
      ['co = cohere.Client("Xk9mQ2pLr7TnV4wZs8bYc3dFgH5jKmN6pQr8sTu1")', 'co = cohere.Client("[REDACTED:secret]")'],
      ["const dg = new DeepgramClient('Xk9mQ2pLr7TnV4wZs8bYc3dFgH5jKmN6');", "const dg = new DeepgramClient('[REDACTED:secret]');"],
    ],
    [
      [
        "a host, a URL, a region, a name, a hex id",
        'client = QdrantClient("localhost", port=6333)\nconst mongo = new MongoClient("mongodb://localhost:27017");\nhttp = HttpClient("https://api.example.com/v1")\nc = Client("Base64EncodedThing")\nclient = S3Client("us-east-1")\nclient = Client("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6")',
      ],
    ],
  );
});

describe("a Secret's stringData in JSON with no kind beside it, as kubectl patch secret takes it: every value", () => {
  exactAndKept(
    [
      [
        `kubectl patch secret app -p '{"stringData":{"upstream":"q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa","mode":"prod"}}'`,
        `kubectl patch secret app -p '{"stringData":{"upstream":"[REDACTED:secret]","mode":"[REDACTED:secret]"}}'`,
      ],
    ],
    [["a template's reference, the field named in prose, another field", '"stringData": {"token": "{{ .Values.token }}"}\n"stringdata" is a field\n{"StringData": "x"}\nkubectl patch configmap app -p \'{"data":{"mode":"prod"}}\'']],
  );
});

describe("a session cookie under its server's own name outside a Cookie header (PHPSESSID, JSESSIONID, connect.sid): in hex too", () => {
  exactAndKept(
    [
      ["logged in, my PHPSESSID=k3v9q2m8x7l4p1r6t5w0z2b8c4 if you need it", "logged in, my PHPSESSID=[REDACTED:cookie] if you need it"],
      ["JSESSIONID: 9F8E7D6C5B4A39281706F5E4D3C2B1A0", "JSESSIONID: [REDACTED:cookie]"],
      ["connect.sid: s%3Aq8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa.Xk9mQ2pLr7TnV4wZs8bYc3dFgH5jKmN6pQr8sTu1", "connect.sid: [REDACTED:cookie]"],
    ],
    [["the names in settings and prose, a variable, a placeholder", "session.name = PHPSESSID\nthe PHPSESSID cookie\nJSESSIONID=${SESSION}\nini_set('session.name', 'PHPSESSID');\nPHPSESSID: <your-session-id>\napp.use(session({ name: 'connect.sid' }))"]],
  );
});

describe("Windows' passwords in clear: ConvertTo-SecureString with -AsPlainText before the literal, schtasks' /rp", () => {
  exactAndKept(
    [
      [
        'Set-ADAccountPassword -Identity bob -NewPassword (ConvertTo-SecureString -AsPlainText "Hq8rT2vXk9LmP4sW" -Force)',
        'Set-ADAccountPassword -Identity bob -NewPassword (ConvertTo-SecureString -AsPlainText "[REDACTED:password]" -Force)',
      ],
      ["$s = ConvertTo-SecureString -AsPlainText -Force -String 'Hq8rT2vXk9LmP4sW'", "$s = ConvertTo-SecureString -AsPlainText -Force -String '[REDACTED:password]'"],
      ['schtasks.exe /Create /TN backup /TR C:\\b.cmd /RU svc /RP "Hq8rT2vXk9LmP4sW" /SC DAILY', 'schtasks.exe /Create /TN backup /TR C:\\b.cmd /RU svc /RP "[REDACTED:password]" /SC DAILY'],
    ],
    [["a variable, an encrypted string, a prompt, another schtasks", 'ConvertTo-SecureString -AsPlainText $pw -Force\n$s = "01000000d08c9ddf0115d1118c7a00c04fc297eb" | ConvertTo-SecureString\nschtasks /create /tn x /tr y /ru admin /rp *\nschtasks /query /fo LIST']],
  );
});

describe("a TOTP seed in one word after a TOTP's, a 2FA's or an MFA's secret or seed (\"TOTP seed: JBSWY3DP…\")", () => {
  exactAndKept(
    [
      ["TOTP seed: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ", "TOTP seed: [REDACTED:totp-secret]"],
      ["2FA seed: k7mzp4vl3wq2rt5yk7mzp4vl3wq2rt5y", "2FA seed: [REDACTED:totp-secret]"],
    ],
    [["a seed's word without a base32 digit, a length, a variable", "TOTP seed: REGENERATEDDAILYBYTHESERVER\n2FA seed: 32 characters\nMFA seed: $MFA_SEED"]],
  );
});

describe("a value told before its label after more verbs (I've added … as the API key, pasted, saved) and after whose it is (… is the db password)", () => {
  exactAndKept(
    [
      ["I've added q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa as the API key", "I've added [REDACTED:secret] as the API key"],
      ["I pasted q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa as the token in the settings", "I pasted [REDACTED:secret] as the token in the settings"],
      ["and Hq8rT2vXk9LmP4sW is the db password", "and [REDACTED:password] is the db password"],
    ],
    [["a file, a word, a pronoun, a host before such labels", "I added README.md as the entry point\nadded it as the password\nput localhost as the server\nThis is the db password field\nAdded support for the password field"]],
  );
});

describe("a secret told after who got or made it (the access token I got back was …, the key we generated is …)", () => {
  exactAndKept(
    [
      ["the access token I got back was q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa, it expires in an hour", "the access token I got back was [REDACTED:secret], it expires in an hour"],
      ["the key we generated is q8Zk3mP2xL7rT9wN4sB6yC1dF5gH0jKa", "the key we generated is [REDACTED:secret]"],
      ["the password they created is Hq8rT2vXk9LmP4sW", "the password they created is [REDACTED:password]"],
    ],
    [["what became of it", "the token I got back was invalid\nthe key we generated is stored in vault\nthe token I received was expired\nthe API key I created is not working"]],
  );
});

describe("a VPN's enrollment key on its command line: NetBird's setup key (netbird up --setup-key …, -k …), a UUID", () => {
  exactAndKept(
    [
      ["netbird up --setup-key 7c9e6679-7425-40de-944b-e07fc1f90ae7", "netbird up --setup-key [REDACTED:secret]"],
      ["sudo netbird up -k 7c9e6679-7425-40de-944b-e07fc1f90ae7 --management-url https://nb.example.com", "sudo netbird up -k [REDACTED:secret] --management-url https://nb.example.com"],
      ["tool --encryption-key Xk9mQ2pLr7TnV4wZs8bYc3dF", "tool --encryption-key [REDACTED:secret]"],
    ],
    [["a variable, a key's file, another command's -k", "netbird up --setup-key $NB_SETUP_KEY\ntool --encryption-key ./enc.key\ncurl -k https://localhost:8443\nnetbird status"]],
  );
});

describe("a MySQL password given by position to Python's older drivers (pymysql.connect(host, user, \"…\", db), MySQLdb.connect)", () => {
  exactAndKept(
    [
      ['conn = pymysql.connect("localhost", "root", "Hq8rT2vXk9LmP4sW", "shop")', 'conn = pymysql.connect("localhost", "root", "[REDACTED:password]", "shop")'],
      ["db = MySQLdb.connect('db.internal', 'app', 'Hq8rT2vXk9LmP4sW', 'shop')", "db = MySQLdb.connect('db.internal', 'app', '[REDACTED:password]', 'shop')"],
    ],
    [["variables, the environment", 'conn = pymysql.connect(host, user, password, db)\nconn = pymysql.connect("localhost", "root", os.environ["PW"])']],
  );
});

describe("a wallet's private keys: bitcoin-cli dumpprivkey's WIF below it, importprivkey's, a BIP32 extended private key (xprv, tprv) under any name or none", () => {
  printedAndPasted([
    ["bitcoin-cli dumpprivkey 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "L1aW4aubDFB7yfras2S1mN3bqg9nwySY8nkoLmJebSLD5BWv3ENZ", "[REDACTED:secret]"],
    ["bitcoin-cli -regtest -rpcwallet=dev dumpprivkey bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "cVt4o7BGAig1UXywgGSmARhxMdzP5qvQsxKkSsc1XEkw3tDTQFpy", "[REDACTED:secret]"],
  ]);
  exactAndKept(
    [
      ['bitcoin-cli importprivkey 5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ "imported" false', 'bitcoin-cli importprivkey [REDACTED:private-key] "imported" false'],
      [
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi is the wallet's root",
        "[REDACTED:private-key] is the wallet's root",
      ],
      [
        '  "desc": "wpkh(tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK/84h/1h/0h/0/*)#3q6y7lrj",',
        '  "desc": "wpkh([REDACTED:private-key]*)#3q6y7lrj",',
      ],
    ],
    [
      [
        "the calls in prose, an address, a public key, the prefix alone",
        "use importprivkey with the key you exported\nbitcoin-cli dumpprivkey is deprecated for descriptor wallets\nbitcoin-cli getnewaddress\n1BoatSLRHtKNngkdXEeobR76b53LETtpyT\nxpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8\nan xprv key starts with xprv",
      ],
    ],
  );
});

describe("a tool's password or key as its argument: Pi-hole's setpassword (-a -p), evil-winrm's -p and -H", () => {
  exactAndKept(
    [
      ["pihole setpassword 'Bq7#xLm2Vz9k'", "pihole setpassword '[REDACTED:password]'"],
      ["sudo pihole -a -p Bq7xLm2Vz9kQ", "sudo pihole -a -p [REDACTED:password]"],
      ["evil-winrm -i 10.10.11.42 -u administrator -p 'P@ssw0rd123!'", "evil-winrm -i 10.10.11.42 -u administrator -p '[REDACTED:password]'"],
      ["evil-winrm -i 10.10.11.42 -u administrator -H 32ed87bdb5fdc5e9cba88547376818d4", "evil-winrm -i 10.10.11.42 -u administrator -H [REDACTED:password]"],
    ],
    [["the prompts alone, prose, the port's -P, a variable", "pihole -a -p\npihole setpassword\nrun pihole setpassword to change it\nevil-winrm -i 10.10.11.42 -u admin -P 5986 -S\nevil-winrm -i $HOST -u admin -p $PASS"]],
  );
});

describe("a Headscale pre-auth key as headscale preauthkeys create prints it (alone below it, in hex or hskey-auth-…)", () => {
  printedAndPasted([
    ["headscale preauthkeys create --user alice --reusable --expiration 24h", "6a5fd3e2b0c94e7a8d1f2c3b4a5e6d7f8091a2b3c4d5e6f7", "[REDACTED:secret]"],
    ["docker exec headscale headscale preauthkeys create -u 1 --reusable", "hskey-auth-Xk9pL2mQvR7t-4fJ8dK2nL6pQ9rT3vW7yZ1bC5eG8hJ2kM6nP9sU3wX7zA1cF4", "[REDACTED:secret]"],
  ]);
  exactAndKept([], [["its other commands' output", "$ headscale users list\nID | Name\n1  | alice\n$ headscale preauthkeys expire --user alice 6a5fd3e2b0c94e7a8d1f2c3b\nExpired"]]);
});

describe("a password's name glued to a replica's: replicationPass (a Helm chart's value)", () => {
  exactAndKept(
    [
      ["auth:\n  replicationPass: Hy8KdpQ2mWz4", "auth:\n  replicationPass: [REDACTED:secret]"],
      ["REPLICATIONPASS=Hy8KdpQ2mWz4", "REPLICATIONPASS=[REDACTED:secret]"],
    ],
    [["a user's name, a switch, a reference", "replicationUser: repl\nreplicationPassEnabled: true\nreplicationPass: ${REPL_PASS}"]],
  );
});

describe("a PostgreSQL SCRAM-SHA-256 verifier under any name or none (pg_authid's rolpassword, pg_dumpall's roles)", () => {
  const verifier = "SCRAM-SHA-256$4096:qeQWz4xRTz3MI3Xx2+Ssrg==$Zm6pFZLdPLgpPMOYf1XaUG4Mv8pRxhEyK8Q1wM0xH5k=:5VZ6iT/GHqWSi9gU+yZJyYb5nJ+HmCNmH2xL+8gLv+U=";
  exactAndKept(
    [
      [` rolname | rolpassword\n app     | ${verifier}`, " rolname | rolpassword\n app     | [REDACTED:password-hash]"],
      [`ALTER ROLE app WITH LOGIN PASSWORD '${verifier}';`, "ALTER ROLE app WITH LOGIN PASSWORD '[REDACTED:password-hash]';"],
    ],
    [["the method's name", "password_encryption = 'scram-sha-256'\nhost all all 0.0.0.0/0 scram-sha-256\nSCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"]],
  );
});

describe("PagerDuty's routing key after routing_key (32 hex digits, or R0 and 30 capitals and digits); a queue's routing key stays", () => {
  exactAndKept(
    [
      [
        `curl -X POST https://events.pagerduty.com/v2/enqueue -d '{"routing_key": "R02F3KQ9MLX2VP7RZ4TW6YB1NC8DE5HJ", "event_action": "trigger"}'`,
        `curl -X POST https://events.pagerduty.com/v2/enqueue -d '{"routing_key": "[REDACTED:pagerduty-key]", "event_action": "trigger"}'`,
      ],
      ['pd_routing_key = "e93facc04764012d7bfb002500d5d1a6"', 'pd_routing_key = "[REDACTED:pagerduty-key]"'],
      ["    routingKey: e93facc04764012d7bfb002500d5d1a6", "    routingKey: [REDACTED:pagerduty-key]"],
    ],
    [["a queue's routing keys, a template", "channel.basic_publish(exchange='', routing_key='hello', body='Hello World!')\nrouting_key: logs.info\nrouting_key: \"{{ pagerduty_key }}\"\nrouting_key = f\"user.{user_id}\""]],
  );
});

describe("a secret typed at a prompt once answered, the check mark in the ? mark's place (@inquirer/prompts' and Enquirer's ✔ … · value)", () => {
  exactAndKept(
    [
      ["$ vercel env add API_SECRET\n✔ What's the value of API_SECRET? · 4kXp9Lm2QvRt7Wz3\n", "$ vercel env add API_SECRET\n✔ What's the value of API_SECRET? · [REDACTED:secret]\n"],
      ["  ✔ What's the value of UPSTREAM_TOKEN? … 8f3kQ9mLx2Vp7Rz4Tw6Yb1Nc", "  ✔ What's the value of UPSTREAM_TOKEN? … [REDACTED:secret]"],
      ["√ Enter the value for DB_PASSWORD: Hq8rT2vXk9", "√ Enter the value for DB_PASSWORD: [REDACTED:secret]"],
    ],
    [
      [
        "choices, a masked answer, test runners' lines, a name",
        "✔ Which environments should DB_PASSWORD be added to? Production\n✔ Do you want to rotate the token? Yes\n✔ What's the value of API_SECRET? · ********\n✓ rejects an expired token? (12 ms)\n✓ should the password be hashed? yes\n✔ Project name? my-app2",
      ],
    ],
  );
});

describe("a Bitcoin private key in Wallet Import Format after its format's name (WIF: …, \"wif\": …, fromWIF('…'))", () => {
  exactAndKept(
    [
      ["WIF: KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn", "WIF: [REDACTED:private-key]"],
      ['{"address": "mkHS9ne12qx9pS9VojpwU5xtRd4T7X7ZUt", "wif": "cVt4o7BGAig1UXywgGSmARhxMdzP5qvQsxKkSsc1XEkw3tDTQFpy"}', '{"address": "mkHS9ne12qx9pS9VojpwU5xtRd4T7X7ZUt", "wif": "[REDACTED:private-key]"}'],
      ["const key = bitcoin.ECPair.fromWIF('L1aW4aubDFB7yfras2S1mN3bqg9nwySY8nkoLmJebSLD5BWv3ENZ')", "const key = bitcoin.ECPair.fromWIF('[REDACTED:private-key]')"],
    ],
    [["a variable, prose, a Wi-Fi label, a key one character short", "ECPair.fromWIF(wif, network)\nthe WIF format encodes a key\nWiFi: KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWn\nWIF: KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoW"]],
  );
});

describe("a password echoed into what reads it, run by WSL from Windows (echo 'alice:…' | wsl -u root chpasswd)", () => {
  exactAndKept(
    [
      ["echo 'alice:Nq8vLx2Kp7Rz' | wsl -u root chpasswd", "echo '[REDACTED:secret]' | wsl -u root chpasswd"],
      ["echo 'alice:Nq8vLx2Kp7Rz' | wsl.exe -d Ubuntu-22.04 -u root -- chpasswd", "echo '[REDACTED:secret]' | wsl.exe -d Ubuntu-22.04 -u root -- chpasswd"],
      ['echo "Nq8vLx2Kp7Rz" | wsl -d Ubuntu -u root sudo -S apt update', 'echo "[REDACTED:secret]" | wsl -d Ubuntu -u root sudo -S apt update'],
    ],
    [["another command, a variable", "echo 'hello' | wsl -d Ubuntu cat\necho $PASS | wsl -u root chpasswd\necho 'x y' | wsl -- wc -w"]],
  );
});
