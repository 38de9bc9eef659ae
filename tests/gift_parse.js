// Parses GIFT from stdin with gift-pegjs (argv[2]: its folder); prints the questions as JSON.
const { parse } = require(process.argv[2]);
const text = require("fs").readFileSync(0, "utf8");
process.stdout.write(JSON.stringify(parse(text)));
