//! The diagnostic codes of the analysis, and their explanations.
//!
//! `E01xx` names, `E02xx` types, `E03xx` the graph, `E04xx` tables; `W01xx` warnings.

use pipec_grammar::codes::Explanation;
use pipec_grammar::diagnostic::Code;

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $title:literal, $text:literal, $wrong:literal, $right:literal; )*) => {
        $( $(#[$doc])* pub const $name: Code = Code($code); )*
        /// The explanations of every code the analysis emits.
        pub const EXPLANATIONS: &[Explanation] = &[
            $( Explanation { code: $name, title: $title, text: $text, wrong: $wrong, right: $right }, )*
        ];
    };
}

codes! {
    /// A bare name that is no node, constant or namespace.
    UNKNOWN_NAME = "E0101", "an unknown name",
        "A reference names something that does not exist: not a node of this pipeline, not a \
         constant, and not one of the namespaces `input`, `secret`, `config` and `run`. The \
         message suggests the closest names.",
        "pipeline p {\n  node a = echo(1)\n  node b = echo(aa)\n}\n",
        "pipeline p {\n  node a = echo(1)\n  node b = echo(a)\n}\n";
    /// `input.X` for an input that is not declared.
    UNKNOWN_INPUT = "E0102", "an unknown input",
        "`input.NAME` reads a run parameter declared with `input NAME: TYPE` in the same \
         pipeline. This one is not declared.",
        "pipeline p {\n  input limit: int = 3\n  node a = echo(input.limt)\n}\n",
        "pipeline p {\n  input limit: int = 3\n  node a = echo(input.limit)\n}\n";
    /// `secret.X` for a secret that is not declared.
    UNKNOWN_SECRET = "E0103", "an unknown secret",
        "`secret.NAME` reads a secret declared with `secret NAME` in the same pipeline. \
         Declaring it lets `pipec` check that it is set before the run and keep it out of \
         every record.",
        "pipeline p {\n  node a = exec([\"deploy\", secret.token])\n}\n",
        "pipeline p {\n  secret token\n  node a = exec([\"deploy\", secret.token])\n}\n";
    /// A callee that is no plugin and no pipeline.
    UNKNOWN_CALLEE = "E0104", "an unknown operator or pipeline",
        "A node calls a built-in operator, a plugin declared with `plugin`, or a pipeline \
         (of this file, or of an imported one as `alias.name`). This name is none of them.",
        "pipeline p {\n  node a = read_cvs(\"a.csv\")\n}\n",
        "pipeline p {\n  node a = read_csv(\"a.csv\")\n  output rows = a\n}\n";
    /// A name defined twice in one scope.
    DUPLICATE_NAME = "E0105", "a name defined twice",
        "Each item of a file, and each input, secret, node and output of a pipeline, needs its \
         own name: references could not tell them apart.",
        "pipeline p {\n  node a = echo(1)\n  node a = echo(2)\n}\n",
        "pipeline p {\n  node a = echo(1)\n  node b = echo(2)\n}\n";
    /// A field its record does not have.
    UNKNOWN_FIELD = "E0106", "an unknown field",
        "The value has a known shape (an operator's output, a schema, a record) and it has no \
         field of this name. The message lists the fields it has.",
        "pipeline p {\n  node files = list_files(\"in\")\n  node a = echo(files.pth)\n}\n",
        "pipeline p {\n  node files = list_files(\"in\")\n  node a = echo(files.path)\n}\n";
    /// An import whose file cannot be read.
    UNREADABLE_IMPORT = "E0107", "an import that cannot be read",
        "An import path is relative to the importing file. This one names a file that does not \
         exist or cannot be read.",
        "import \"no/such/file.pipe\"\n",
        "// import \"lib/clean.pipe\" as clean\n";
    /// Files that import each other in a cycle.
    IMPORT_CYCLE = "E0108", "an import cycle",
        "Files may not import each other in a circle (a imports b, b imports a): the items of \
         neither could be resolved first. Move the shared items into a third file that both \
         import.",
        "// a.pipe\nimport \"a.pipe\"\n",
        "// a.pipe\nconst A = 1\n";
    /// A member of a namespace or import alias that does not exist.
    UNKNOWN_MEMBER = "E0109", "an unknown member of a namespace",
        "`run` has the members `id`, `pipeline` and `started`; an import alias has the items of \
         its file. This member is not there.",
        "pipeline p {\n  node a = echo(run.identifier)\n}\n",
        "pipeline p {\n  node a = echo(run.id)\n}\n";
    /// A type name that is no type and no schema.
    UNKNOWN_TYPE = "E0110", "an unknown type",
        "Types are `bool int float string path duration size json`, `list<T>`, `T?`, records \
         `{ f: T }`, `table`, `table<Schema>` and the names of schemas.",
        "pipeline p {\n  input n: integer = 3\n  node a = echo(input.n)\n}\n",
        "pipeline p {\n  input n: int = 3\n  node a = echo(input.n)\n}\n";
    /// A clause names a node that does not exist.
    UNKNOWN_NODE = "E0111", "a clause names an unknown node",
        "`each`, `all`, `group` and `after` name nodes of the same pipeline. This one is not a \
         node of the pipeline.",
        "pipeline p {\n  node files = list_files(\"in\")\n  node a = echo(files.path) { each file }\n}\n",
        "pipeline p {\n  node files = list_files(\"in\")\n  node a = echo(files.path) { each files }\n}\n";
    /// A pipe that does not exist.
    UNKNOWN_PIPE = "E0112", "an unknown pipe",
        "After `|` comes one of the built-in pipes (`upper`, `default`, `length`, ...). This \
         name is none of them.",
        "const A = \"x\" | uper\n",
        "const A = \"x\" | upper\n";
    /// An argument of the wrong type.
    WRONG_ARGUMENT_TYPE = "E0201", "an argument of the wrong type",
        "The operator's signature asks for one type and the argument has another. Convert it \
         with a pipe (`| int`, `| string`) or pass a different value.",
        "pipeline p {\n  node t = read_csv(\"a.csv\")\n  node a = limit(t, n: \"ten\")\n  output first = a\n}\n",
        "pipeline p {\n  node t = read_csv(\"a.csv\")\n  node a = limit(t, n: 10)\n  output first = a\n}\n";
    /// A required parameter without an argument.
    MISSING_ARGUMENT = "E0202", "a required argument is missing",
        "Every parameter without a default needs an argument, positional or named.",
        "pipeline p {\n  node a = read_text()\n}\n",
        "pipeline p {\n  node a = read_text(\"notes.txt\")\n  output text = a.text\n}\n";
    /// A named argument the callee does not have.
    UNKNOWN_ARGUMENT = "E0203", "an unknown named argument",
        "The callee has no parameter of this name. The message lists its parameters.",
        "pipeline p {\n  node a = list_files(\"in\", pattern: \"*.mp4\")\n}\n",
        "pipeline p {\n  node a = list_files(\"in\", glob: \"*.mp4\")\n  output files = a\n}\n";
    /// More positional arguments than parameters.
    TOO_MANY_ARGUMENTS = "E0204", "too many arguments",
        "The callee takes fewer parameters than were given.",
        "pipeline p {\n  node a = read_text(\"a.txt\", \"b.txt\")\n}\n",
        "pipeline p {\n  node a = read_text(\"a.txt\")\n  output text = a.text\n}\n";
    /// A parameter given twice.
    ARGUMENT_TWICE = "E0205", "an argument given twice",
        "A parameter was given both by position and by name, or twice by name.",
        "pipeline p {\n  node a = read_text(\"a.txt\", path: \"b.txt\")\n}\n",
        "pipeline p {\n  node a = read_text(path: \"b.txt\")\n  output text = a.text\n}\n";
    /// A condition that is not a bool.
    CONDITION_NOT_BOOL = "E0206", "a condition that is not a bool",
        "`when` and `where` take a bool. Compare the value (`== \"x\"`, `> 0`) to make one.",
        "pipeline p {\n  input mode: string = \"x\"\n  node a = echo(1) { when input.mode }\n}\n",
        "pipeline p {\n  input mode: string = \"x\"\n  node a = echo(1) { when input.mode == \"full\" }\n}\n";
    /// Operands an operator cannot take.
    BAD_OPERANDS = "E0207", "operands an operator cannot take",
        "`and`, `or` and `not` take bools; `<`, `<=`, `>`, `>=` compare numbers, durations, \
         sizes or strings of the same kind; `in` needs a list or a string on its right; \
         `matches` takes text and a pattern.",
        "const A = 1 and true\n",
        "const A = 1 > 0 and true\n";
    /// A duration was expected.
    DURATION_EXPECTED = "E0208", "a duration was expected",
        "`timeout` and `backoff` take a duration such as `30s`, `5m` or `250ms`.",
        "pipeline p {\n  node a = echo(1) { timeout 30 }\n}\n",
        "pipeline p {\n  node a = echo(1) { timeout 30s }\n}\n";
    /// `retry` needs an integer.
    RETRY_NOT_INT = "E0209", "`retry` needs a whole number",
        "`retry N` gives N more attempts; N is a whole number (0 or more).",
        "pipeline p {\n  node a = echo(1) { retry 2.5 }\n}\n",
        "pipeline p {\n  node a = echo(1) { retry 2 }\n}\n";
    /// A pipe applied to a value it does not take.
    PIPE_INPUT = "E0210", "a pipe applied to the wrong kind of value",
        "Each pipe takes a kind of value: `upper` text, `first` a list, `not` a bool. The \
         message names what the pipe takes and what it was given.",
        "const A = 3 | upper\n",
        "const A = 3 | string | upper\n";
    /// Wrong arguments to a pipe.
    PIPE_ARGUMENTS = "E0211", "wrong arguments to a pipe",
        "The pipe was given too few or too many arguments, or one of the wrong type.",
        "const A = \"long text\" | replace\n",
        "const A = \"long text\" | replace(\"long\", \"short\")\n";
    /// A default value of the wrong type.
    DEFAULT_TYPE = "E0212", "a default of the wrong type",
        "An input's or parameter's default must have the declared type.",
        "pipeline p {\n  input n: int = \"three\"\n  node a = echo(input.n)\n}\n",
        "pipeline p {\n  input n: int = 3\n  node a = echo(input.n)\n}\n";
    /// `each`, `all` or `group` over a node whose value is one table.
    ITEMS_OF_A_TABLE = "E0213", "`each`, `all` or `group` over one table",
        "`each SRC` runs one task per item of SRC, and a table node yields one item: the \
         table. So the clause runs one task, and the table's columns are not fields of it \
         (`people.name` has no value). To run a task per row, make the rows items with \
         `rows(people)` and name that node in the clause.",
        "pipeline p {\n  node people = read_csv(\"people.csv\")\n  node a = echo(people) { each people }\n}\n",
        "pipeline p {\n  node people = read_csv(\"people.csv\")\n  node person = rows(people)\n  node a = echo(person.name) { each person }\n}\n";
    /// A number literal that no value can hold.
    NUMBER_OUT_OF_RANGE = "E0214", "a number literal out of range",
        "Whole numbers are 64-bit integers (from -9223372036854775808 to \
         9223372036854775807) and other numbers 64-bit floats (up to about 1.8e308). A \
         literal beyond them would be changed silently (saturated, or made null), so it is \
         refused. Write a smaller number, or text (`\"123456789012345678901\"`) for an \
         identifier that only looks like one.",
        "pipeline p {\n  node a = echo(123456789012345678901)\n}\n",
        "pipeline p {\n  node a = echo(\"123456789012345678901\")\n  output v = a\n}\n";
    /// Nodes that depend on each other in a cycle.
    DEPENDENCY_CYCLE = "E0301", "a dependency cycle",
        "A node cannot depend, directly or through others, on itself: none of them could run \
         first. The message shows the cycle.",
        "pipeline p {\n  node a = echo(b)\n  node b = echo(a)\n}\n",
        "pipeline p {\n  node a = echo(1)\n  node b = echo(a)\n}\n";
    /// Grouped nodes that do not descend from one root.
    GROUP_WITHOUT_COMMON_ROOT = "E0302", "grouped nodes without a common root",
        "`group A, B by origin` pairs the items of A and B that descend from the same root item, \
         so A and B must both descend (through `each`) from one node with many items.",
        "pipeline p {\n  node xs = list_files(\"a\")\n  node ys = list_files(\"b\")\n  node a = echo(xs.path) { each xs }\n  node b = echo(ys.path) { each ys }\n  node c = echo(a) { group a, b by origin }\n}\n",
        "pipeline p {\n  node xs = list_files(\"a\")\n  node a = echo(xs.path) { each xs }\n  node b = echo(xs.name) { each xs }\n  node c = echo(a) { group a, b by origin }\n}\n";
    /// A table in SQL text that is no node.
    UNKNOWN_TABLE = "E0303", "SQL names a table that is no node",
        "In `sql(...)`, the tables are the upstream nodes of the pipeline and its `table` \
         inputs (`input sales: table` is `from sales`), by name. This table name is neither \
         (nor a common table expression of the query).",
        "pipeline p {\n  node orders = read_csv(\"o.csv\")\n  node q = sql(\"select * from order\")\n}\n",
        "pipeline p {\n  node orders = read_csv(\"o.csv\")\n  node q = sql(\"select * from orders\")\n  output rows = q\n}\n";
    /// SQL text that does not parse.
    SQL_SYNTAX = "E0304", "SQL that does not parse",
        "The text of `sql(...)` (and a `filter` predicate) is parsed with the SQL parser \
         DataFusion uses; this text is not valid SQL. The error is placed where the parser \
         stopped: at a misspelt keyword (`form` for `from`, or `wher`, which the parser read as \
         a table's alias), at the end of the text when it ends early or leaves a `(` open, at a \
         quote never closed. SQL writes a missing value as `null` (`k is null`, not `None`), \
         both conditions with `and` (not `&&`), and one statement per `sql` node. Each value of \
         an `aggregate` is one SQL expression (`sum(amount)`), named by its key in the record, \
         not with `as`.",
        "pipeline p {\n  node t = read_csv(\"t.csv\")\n  node q = sql(\"selec * from t\")\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\")\n  node q = sql(\"select * from t\")\n  output rows = q\n}\n";
    /// Pipelines that call each other in a circle.
    RECURSIVE_PIPELINE = "E0305", "a pipeline that calls itself",
        "A pipeline used as a node runs the whole pipeline; one that calls itself, directly or \
         through other pipelines, would never finish. Pipelines cannot recurse; repeat work with \
         `each` instead.",
        "pipeline p {\n  node again = p()\n}\n",
        "pipeline p {\n  node files = list_files(\"in\")\n  node each_file = echo(files.path) { each files }\n}\n";
    /// A column that the table does not have.
    UNKNOWN_COLUMN = "E0401", "an unknown column",
        "`check` knows a table's columns where it can: a declared schema, the source file when \
         it exists, each operator's rule, and DataFusion's planning of SQL text against the \
         upstream tables. This column is not one of them; the message lists the columns there \
         are. Inside SQL text the span points at the column. SQL reads a name written without \
         double quotes in lower case, so a column with capitals or spaces (`City`, `Person ID`) \
         is written `\\\"City\\\"` inside SQL text; the fix offered quotes it.",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, amount float\")\n  node s = select(t, [\"id\", \"amont\"])\n  output rows = s\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, amount float\")\n  node s = select(t, [\"id\", \"amount\"])\n  output rows = s\n}\n";
    /// SQL text (a query, a predicate, an aggregate) that cannot be planned.
    TABLE_QUERY = "E0402", "a table query that cannot be planned or would fail on its types",
        "The SQL of `sql(...)`, a `filter` predicate or an `aggregate` value is planned with \
         DataFusion against the schemas of the upstream tables, before anything runs. Planning \
         failed: a type mismatch (comparing a date with a number, a predicate that is not \
         boolean), an unknown function, a column that is not grouped, a column named without \
         its table that several joined tables have (write `o.customer_id`), a quoted literal \
         that cannot take its column's type (`amount > 'abc'`), a conversion the engine does \
         not have (`cast(amount as date)` with a float `amount`: it plans, and the run fails \
         building its physical plan), ... The error is placed at the \
         columns, call or literal it is about. Join keys are checked the same \
         way: a text key matched with a number or date key would be converted row by row and \
         fail on the first text that does not convert.",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, day date\")\n  node s = filter(t, \"id\")\n  output rows = s\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, day date\")\n  node s = filter(t, \"id > 3\")\n  output rows = s\n}\n";
    /// A declared table schema that cannot be read.
    BAD_TABLE_SCHEMA = "E0403", "a table schema that cannot be read",
        "A reader's `schema:` argument declares the columns as `name type` pairs separated by \
         commas; the types are int, float, string, bool, date and timestamp (or their SQL \
         names).",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, amount money\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, amount float\")\n  output rows = t\n}\n";
    /// A table given where a `table<Schema>` is expected lacks a column of it.
    TABLE_SCHEMA_MISMATCH = "E0404", "a table without a column its schema type requires",
        "A plugin parameter typed `table<Schema>` expects every field of the schema as a \
         column. The table passed to it is known at check time (from a file, a declared \
         schema or the operators before it) and lacks one of them. Select or compute the \
         column first, or fix the schema.",
        "schema Order { id: int, amount: float }\nplugin sink(rows: table<Order>)\npipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, total float\")\n  node s = sink(t)\n}\n",
        "schema Order { id: int, amount: float }\nplugin sink(rows: table<Order>)\npipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, amount float\")\n  node s = sink(t)\n}\n";
    /// A table operator's option outside the values it takes (a join's
    /// `how`, a negative limit).
    BAD_TABLE_OPTION = "E0405", "a table operator option outside the values it takes",
        "Some table operator arguments take one word of a fixed set: a join's `how` is inner, \
         left, right, full, semi or anti (the message suggests the closest). A join's `on` \
         names at least one column, and its `right_on`, when given, as many as `on` (they are \
         matched in order). A limit's `n` is a number of rows, 0 or more. An aggregate's \
         values are named apart from its `by` columns (the result has both). A sort key is a \
         column, then optionally `desc` or `asc`. The value given is \
         outside that; the run would fail at that node.",
        "pipeline p {\n  node a = read_csv(\"a.csv\", schema: \"id int\")\n  node b = read_csv(\"b.csv\", schema: \"id int\")\n  node j = join(a, b, on: [\"id\"], how: \"outer\")\n  output rows = j\n}\n",
        "pipeline p {\n  node a = read_csv(\"a.csv\", schema: \"id int\")\n  node b = read_csv(\"b.csv\", schema: \"id int\")\n  node j = join(a, b, on: [\"id\"], how: \"full\")\n  output rows = j\n}\n";
    /// A schema declared for a file that the file does not fit.
    SCHEMA_FILE_MISFIT = "E0406", "a declared schema that the file's rows do not fit",
        "A `read_csv` declares its schema and its file exists at check time: its first rows \
         (as many as type inference reads) are read with the declared schema, and one does not \
         fit: a value that is not of its column's declared type (`120.98` in an `int` column), \
         or a row with another number of fields than the schema has columns. The run would \
         fail there. The message names the line; declare the type the file has (the help says \
         what the file's rows read as) or mend the file. A `read_parquet` or `read_json` \
         matches a declared schema's columns to the file's by name: a declared column the file \
         (existing at check time) does not have would be null in every row, and is reported \
         with the file's near column offered. A JSON file's first records are decoded with \
         the declared schema as the run decodes them; a value that does not decode, or a \
         field of numbers with fractions declared as an int (the decoder would cut 2.5 to \
         2), is reported at the declared column. A Parquet file's columns have types, and the \
         run converts each to its declared type: a declared type the engine cannot convert \
         to (a list as an int), a conversion without meaning (numbers and dates, which \
         convert as days from 1970-01-01: `1` read as `1970-01-02`), numbers with fractions \
         declared as an int (cut), and a value of the file's first rows that does not convert \
         (text `east` declared as an int; the run would fail) are reported at the declared \
         column, with the type the file holds. A JSON field of numbers declared as a date \
         or timestamp is decoded the same way (days from 1970-01-01) and is reported too.",
        "pipeline p {\n  node t = read_csv(\"orders.csv\", schema: \"id int, amount int\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"orders.csv\", schema: \"id int, amount float\")\n  output rows = t\n}\n";
    /// An interpolation written inside a quoted SQL string.
    QUOTED_PARAMETER = "E0407", "an interpolation inside a quoted SQL string",
        "In `sql`, `filter` and `aggregate` text, each `{expr}` is bound as a parameter: a \
         value of its own, never spliced into the text. Inside SQL quotes \
         (`region = '{input.region}'`) it is the text `$1` instead, so the query compares \
         with that text and silently matches nothing. Write it without the quotes: a text \
         value is compared as text.",
        "pipeline p {\n  input region: string = \"east\"\n  node t = read_csv(\"t.csv\", schema: \"id int, region string\")\n  node s = filter(t, \"region = '{input.region}'\")\n  output rows = s\n}\n",
        "pipeline p {\n  input region: string = \"east\"\n  node t = read_csv(\"t.csv\", schema: \"id int, region string\")\n  node s = filter(t, \"region = {input.region}\")\n  output rows = s\n}\n";
    /// `sql` text that names a node whose value is not a table.
    SQL_NOT_A_TABLE = "E0408", "`sql` reads a node that is not a table",
        "The tables of an `sql` query are the pipeline's nodes, by name, and the node named \
         here yields something else: a record, a list, items of `each` or `rows`. The run \
         would fail with \"table not found\". Query a node whose value is a table (a reader, \
         a table operator, a plugin that returns `table`), or make the items a table first \
         with `to_table`.",
        "pipeline p {\n  node people = read_json_value(\"people.json\")\n  node adults = sql(\"select * from people where age >= 18\")\n  output rows = adults\n}\n",
        "pipeline p {\n  node people = read_json_value(\"people.json\")\n  node people_table = to_table(people)\n  node adults = sql(\"select * from people_table where age >= 18\")\n  output rows = adults\n}\n";
    /// A list interpolated into SQL text outside an `in (...)`.
    LIST_PARAMETER = "E0409", "a list interpolated into SQL text outside `in (...)`",
        "In `sql`, `filter` and `aggregate` text, each `{expr}` is bound as a parameter. A \
         list written as the whole of an `in (...)` is bound as its items, a parameter each \
         (`city in ({input.cities})`); anywhere else it would have to be one SQL value, and \
         no SQL value is a list, so the run would fail at that node. Write it inside \
         `in (...)`, or give one value (`| first`) or text (`| join`).",
        "pipeline p {\n  input cities: list<string> = [\"oslo\", \"rome\"]\n  node t = read_csv(\"t.csv\", schema: \"id int, city string\")\n  node s = filter(t, \"city = {input.cities}\")\n  output rows = s\n}\n",
        "pipeline p {\n  input cities: list<string> = [\"oslo\", \"rome\"]\n  node t = read_csv(\"t.csv\", schema: \"id int, city string\")\n  node s = filter(t, \"city in ({input.cities})\")\n  output rows = s\n}\n";
    /// A reader of a file another node writes, not run after that node.
    READ_BEFORE_WRITTEN = "E0410", "a node reads a file another node writes without running after it",
        "A reader (`read_csv`, `read_parquet`, `read_json`) names the path a writer node of \
         the same pipeline writes (`write_csv`, `write_parquet`, `write_json`), but does not \
         depend on that node. Nodes that do not depend on each other run in parallel, in any \
         order: the reader would find no file, or read the one an earlier run left. Add \
         `{ after WRITER }` to the reader (the fix does), so that it runs once the file is \
         written.",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int\")\n  node saved = write_csv(t, \"out/t.csv\")\n  node again = read_csv(\"out/t.csv\")\n  output rows = again\n  output file = saved\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int\")\n  node saved = write_csv(t, \"out/t.csv\")\n  node again = read_csv(\"out/t.csv\") { after saved }\n  output rows = again\n  output file = saved\n}\n";
    /// A reader given a file that holds another format.
    FILE_OF_ANOTHER_FORMAT = "E0411", "a reader given a file of another format",
        "`read_csv`, `read_parquet` and `read_json` each read one format. The file the path \
         names exists and holds another, judged by its first bytes (Parquet files begin with \
         `PAR1`, JSON with `{` or `[`): the run would fail at that node (\"Corrupt footer\"), \
         or read the bytes as garbage. Read it with the reader of its format (the fix renames \
         the operator when only the path and a schema are given). A file given to `read_csv` \
         that is not text is not reported: it may be compressed.",
        "pipeline p {\n  node t = read_parquet(\"examples/sales/data/orders.csv\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"examples/sales/data/orders.csv\")\n  output rows = t\n}\n";
    /// A CSV value its column's inferred type cannot take.
    INFERRED_TYPE_MISFIT = "E0412", "a CSV value that its column's inferred type cannot take",
        "A `read_csv` without a schema reads its file's first rows (1,000) to infer each \
         column's type, by the look of the values: `2026-01-05` looks like a date, `42` like \
         an int. A value there that looks the part and is not (`2026-13-01`) is then read as the column's type, and the run fails on its row. \
         Declare the column as text in a schema (the fix writes the inferred schema with that \
         column as `string`), or mend the line.",
        "pipeline p {\n  node t = read_csv(\"tests/golden/check/err_csv_inferred_type_misfit/days.csv\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"tests/golden/check/err_csv_inferred_type_misfit/days.csv\", schema: \"id int, day string\")\n  output rows = t\n}\n";
    /// A number literal that a table query's types convert to a date or time.
    NUMBER_AS_DATE = "W0403", "a number taken as a date",
        "A `filter` predicate, `sql` text or `aggregate` value compares a date or time column \
         with a number (`day > 5`). DataFusion's type coercion converts the number to a date \
         counted from 1970-01-01 (5 is 1970-01-06), so the query runs and its result is \
         rarely what was meant. Compare with a date literal (`day > date '2026-01-05'`), or \
         write the conversion yourself (`cast(5 as date)`), which says it is meant.",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, day date\")\n  node s = filter(t, \"day > 5\")\n  output rows = s\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, day date\")\n  node s = filter(t, \"day > date '2026-01-05'\")\n  output rows = s\n}\n";
    /// A reader's path that names no file, beside a file of a near name.
    NEAR_FILE = "W0404", "a file a reader names is not there, and one of a near name is",
        "A `read_csv`, `read_parquet` or `read_json` path written as a plain string names no \
         file at check time, and the same directory has a file whose name is a slip away \
         (`orders.cvs` beside `orders.csv`). The run would fail at that node. A file that is \
         simply not there yet (written by an earlier node, or fetched before the run) is not \
         reported. A relative path is read from the directory of the `.pipe` file.",
        "pipeline p {\n  node t = read_csv(\"examples/sales/data/orders.cvs\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"examples/sales/data/orders.csv\")\n  output rows = t\n}\n";
    /// A file pattern that cannot be matched.
    BAD_FILE_PATTERN = "E0413", "a file pattern that cannot be read",
        "A table reader's path or `list_files`' `glob` is a file pattern (it has `*`, `?`, \
         `[` or `{`), and the pattern is malformed: a `[` class or a `{` alternative is not \
         closed, or a `**` is not a whole path component. pipec has one pattern dialect, \
         for `check`, the readers and `list_files` alike: `*` within a path component, `**` \
         across components, `?` one character, `[a-z]` and `[!a]` classes, `{a,b}` \
         alternatives; `\\` escapes a special character.",
        "pipeline p {\n  node t = read_csv(\"examples/sales/data/[orders.csv\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"examples/sales/data/[o]rders.csv\")\n  output rows = t\n}\n";
    /// A reader's path that names no file, read before anything runs.
    MISSING_FILE = "W0409", "a file a reader names is not there, and nothing before it could make it",
        "A `read_csv`, `read_parquet` or `read_json` path known at check time names no file, \
         and the reading node depends on no other node: it runs first, so no step of the run \
         can make the file, and the run would fail at that node. A relative path written in \
         a `.pipe` file is read from that file's directory (docs/language.md, Paths). If an \
         earlier step makes the file, say so with `after STEP`.",
        "pipeline p {\n  node t = read_csv(\"no/such/orders.csv\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"examples/sales/data/orders.csv\")\n  output rows = t\n}\n";
    /// A text column that a table query's types convert, value by value.
    TEXT_CONVERTED = "W0401", "a text column converted to a number or date, value by value",
        "A `filter` predicate, `sql` text or `aggregate` value meets a text column with a \
         number or a date (`code > 5` where `code` is text, or `code > {input.n}` with an \
         `int` input: a `{value}` is bound as its type). DataFusion's type coercion then \
         converts each value of the column at run time, and the run fails on the first value \
         that does not convert. Compare with text (`code > '5'`), write the conversion \
         yourself (`cast(code as int)`, which says it is meant), or declare the column's \
         type in the reader's `schema`.",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, code string\")\n  node s = filter(t, \"code > 5\")\n  output rows = s\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\", schema: \"id int, code string\")\n  node s = filter(t, \"code > '5'\")\n  output rows = s\n}\n";
    /// A text `{value}` met with a number column in a table query.
    TEXT_PARAMETER_CONVERTED = "W0405", "a text value met with a number column",
        "A `{value}` in a `filter` predicate, `sql` text or `aggregate` value is bound as a \
         typed parameter: text for a `string` input. Met with a number column (`qty > \
         {input.min}` where `min` is a `string` input), the engine converts the text when it \
         binds it, and the run fails if the text is not a number. Declare the input as a \
         number (`input min: int`) or convert the value (`{input.min | int}`).",
        "pipeline p {\n  input min: string = \"2\"\n  node t = read_csv(\"t.csv\", schema: \"id int, qty int\")\n  node s = filter(t, \"qty > {input.min}\")\n  output rows = s\n}\n",
        "pipeline p {\n  input min: int = 2\n  node t = read_csv(\"t.csv\", schema: \"id int, qty int\")\n  node s = filter(t, \"qty > {input.min}\")\n  output rows = s\n}\n";
    /// A union of two tables that have no column in common.
    UNION_WITHOUT_COMMON_COLUMNS = "W0402", "a union of two tables with no column in common",
        "`union` matches columns by name: a column of one table that the other does not have \
         is null in the other's rows. When the two tables have no column in common, every row \
         of the union is null in half of its columns, which is seldom what was meant (the \
         columns were likely meant to match by position). Rename one side's columns to the \
         other's in `sql` (`select key as id, total as amount from b`), or use `join` to put \
         the columns side by side.",
        "pipeline p {\n  node a = read_csv(\"a.csv\", schema: \"id int, amount float\")\n  node b = read_csv(\"b.csv\", schema: \"key int, total float\")\n  node u = union(a, b)\n  output rows = u\n}\n",
        "pipeline p {\n  node a = read_csv(\"a.csv\", schema: \"id int, amount float\")\n  node b = read_csv(\"b.csv\", schema: \"id int, amount float\")\n  node u = union(a, b)\n  output rows = u\n}\n";
    /// A union whose tables name a column nearly alike.
    UNION_NEAR_COLUMN_NAMES = "W0406", "a union of tables that name a column nearly alike",
        "`union` matches columns by name. The second table has a column the first lacks, and \
         the first has one of a near name the second lacks (`amout` and `amount`, `Region` \
         and `region`): the union keeps both, and each is null in the other table's rows, \
         which is seldom what was meant. Rename one side's column in `sql` (`select id, \
         amout as amount from web`).",
        "pipeline p {\n  node shop = read_csv(\"shop.csv\", schema: \"id int, amount float\")\n  node web = read_csv(\"web.csv\", schema: \"id int, amout float\")\n  node u = union(shop, web)\n  output rows = u\n}\n",
        "pipeline p {\n  node shop = read_csv(\"shop.csv\", schema: \"id int, amount float\")\n  node web = read_csv(\"web.csv\", schema: \"id int, amount float\")\n  node u = union(shop, web)\n  output rows = u\n}\n";
    /// A CSV file read as one column whose name holds another separator.
    CSV_OTHER_DELIMITER = "W0407", "a CSV file read as one column: its fields are separated otherwise",
        "`read_csv` splits each line at its `delimiter` (a comma unless given). The file's \
         header has no such character and does have another one (`id;region;amount`), so the \
         file reads as one column of that whole name, and every column a later node names is \
         unknown. Pass the file's separator: `delimiter: \";\"` (the fix adds or changes it).",
        "pipeline p {\n  node t = read_csv(\"tests/golden/check/err_csv_other_delimiter/orders.csv\")\n  output rows = t\n}\n",
        "pipeline p {\n  node t = read_csv(\"tests/golden/check/err_csv_other_delimiter/orders.csv\", delimiter: \";\")\n  output rows = t\n}\n";
    /// `to_table` of an `echo` of a record: one column, `value`.
    TABLE_OF_ECHOED_RECORDS = "W0408", "a table of `echo` items: one column, `value`",
        "`echo(x)` returns `{ value: x }`, so `to_table` of an `echo` node whose argument is a \
         record literal makes a table of one column, `value`, holding each record whole; a \
         query that names the record's fields (`select id from t`) fails at run time. Write \
         `to_table(node.value)` to have the fields as columns (the fix adds `.value`).",
        "pipeline p {\n  node e = echo({ id: 1, name: \"a\" })\n  node t = to_table(e)\n  output rows = t\n}\n",
        "pipeline p {\n  node e = echo({ id: 1, name: \"a\" })\n  node t = to_table(e.value)\n  output rows = t\n}\n";
    /// A node whose result nothing uses.
    UNUSED_NODE = "W0101", "a node whose result nothing uses",
        "The node has no effect of its own (it only computes a value) and no other node or \
         output reads it, so running it is wasted work. Use it, make it an `output`, or remove it. \
         Not reported while a member of the pipeline does not parse: it may be the reader.",
        "pipeline p {\n  node t = read_csv(\"t.csv\")\n}\n",
        "pipeline p {\n  node t = read_csv(\"t.csv\")\n  output rows = t\n}\n";
    /// A list literal with an element of another type than the list wanted.
    MIXED_LIST = "E0215", "a list literal whose elements are not all of the type wanted",
        "A parameter takes `list<T>` (an `exec` argv is `list<string>`), and the list written \
         for it has an element of another type (`[\"sleep\", 5]`): a list of mixed types \
         would pass as `list<any>` and reach the operator as a number where text is wanted. \
         Write the element as text (`\"5\"`; the fix quotes a number or a bool), or convert \
         a value with `| string`.",
        "pipeline p {\n  node a = exec([\"sleep\", 1])\n}\n",
        "pipeline p {\n  node a = exec([\"sleep\", \"1\"])\n}\n";
    /// A secret that reaches an output, a written file or a plugin.
    SECRET_FLOWS_OUT = "W0105", "a secret reaches an output, a written file or a plugin",
        "A secret's value, or a value derived from it (a node that reads it, a pipe over \
         it), reaches a pipeline `output`, an argument of a node that writes a file \
         (`write_text`, `write_json`, ...), or a plugin other than pipec's built-ins. pipec \
         hides secret values (and text derived from them) where it prints and records them, \
         but not in a file or in what another program keeps. `exec`'s `argv` and `env` are \
         where secrets are meant to go and are not reported. The message shows the path the \
         value takes (`secret.token → node `a` → output `o``).",
        "pipeline p {\n  secret token\n  node a = echo(secret.token)\n  output o = a.value\n}\n",
        "pipeline p {\n  secret token\n  node a = exec([\"curl\", \"-H\", \"Authorization: Bearer {secret.token}\", \"https://example.com\"])\n  output o = a.exit_code\n}\n";
    /// A list interpolated into text.
    LIST_IN_TEXT = "E0216", "a list interpolated into text",
        "A `{value}` inside a string with other text is written as text; a list there would \
         be written as its JSON (`\"archive-{names}.json\"` names the file \
         `archive-[\"a\",\"b\"].json`). Pick one element (`| first`, `| nth(1)`), join the \
         elements (`| join(\",\")`), or give each element a task of its own with `each`. \
         SQL text (`sql`, `filter`, `aggregate`) is different: a list there is bound as the \
         values of `in (...)`.",
        "pipeline p {\n  input names: list<string>\n  node w = write_json(\"archive-{input.names}.json\", 1)\n}\n",
        "pipeline p {\n  input names: list<string>\n  node w = write_json(\"archive-{input.names | first}.json\", 1)\n}\n";
    /// `each` over one value that holds a list.
    EACH_OVER_ONE_LIST = "W0104", "`each` over one value that holds a list",
        "`each X` has a task per item of node X. This X has one item (its operator returns \
         one value, such as `echo`, or a JSON file's `value`), and that item is or holds a \
         list, so the node runs once, with the whole list, not once per element. To fan out \
         over the elements, make them items of a node: `node names = items(words.value)`, \
         then `each names`.",
        "pipeline p {\n  node words = echo([\"a\", \"b\"])\n  node upper = echo(words.value) { each words }\n  output v = upper\n}\n",
        "pipeline p {\n  node words = items([\"a\", \"b\"])\n  node upper = echo(words | upper) { each words }\n  output v = upper\n}\n";
    /// An input nothing reads.
    UNUSED_INPUT = "W0102", "an input nothing reads",
        "The input is declared but no node or output reads `input.NAME`. Not reported while a \
         member of the pipeline does not parse: it may be the reader.",
        "pipeline p {\n  input n: int = 1\n  node a = echo(2)\n}\n",
        "pipeline p {\n  input n: int = 1\n  node a = echo(input.n)\n}\n";
}
