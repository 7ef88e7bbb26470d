/* JUnit XML: escaping, and a document a real XML parser accepts with
 * counts that agree with its testcases and messages that hold the old
 * value, the new one and the threshold. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/junit.h"
#include "test_records.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/spawn.h"

static void junit_escaped(const char *text, char *out, size_t capacity)
{
	FILE *stream = fmemopen(out, capacity, "w");

	cr_assert_not_null(stream);
	junit_escape(stream, text);
	fclose(stream);
}

Test(junit, markup_and_control_characters_are_escaped)
{
	char out[256];

	junit_escaped("a<b>&\"c\"'d'", out, sizeof out);
	cr_assert_str_eq(out, "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
	junit_escaped("line\nnext\ttab\rret", out, sizeof out);
	cr_assert_str_eq(out, "line&#10;next&#9;tab&#13;ret");
	/* XML 1.0 has no way to write these; bytes of unknown encoding neither. */
	junit_escaped("bell\a esc\033 \xc3\xa9 del\x7f", out, sizeof out);
	cr_assert_str_eq(out, "bell? esc? ?? del?");
}

/* A result with every kind of row, one model named with markup in it. */
static void every_row(struct test_pair *pair)
{
	struct test_record pass = test_record_default(), slow = test_record_default();
	struct test_record gone = test_record_default(), dead = test_record_default();
	struct test_record wrong = test_record_default(), added = test_record_default();

	test_pair_init(pair, "count=0%");
	slow.model = "a<b&\\\"c'>";
	gone.board = "qemu-m0";
	dead.board = wrong.board = added.board = "qemu-m7";
	wrong.model = "wrong";
	added.model = "added";
	test_record_add(&pair->baseline, &pass);
	test_record_add(&pair->baseline, &slow);
	test_record_add(&pair->baseline, &gone);
	test_record_add(&pair->baseline, &dead);
	test_record_add(&pair->baseline, &wrong);
	slow.median = slow.min = slow.max = 1200000;
	dead.status = wrong.status = "error";
	dead.error_kind = "timeout";
	wrong.error_kind = "output mismatch";
	test_record_add(&pair->fresh, &pass);
	test_record_add(&pair->fresh, &slow);
	test_record_add(&pair->fresh, &dead);
	test_record_add(&pair->fresh, &wrong);
	test_record_add(&pair->fresh, &added);
	test_pair_compare(pair);
}

/* Parses the file with Python's XML parser (expat), checks every count
 * attribute against the elements, and prints each testcase. */
static const char junit_check_script[] =
    "import sys, xml.etree.ElementTree as ET\n"
    "root = ET.parse(sys.argv[1]).getroot()\n"
    "assert root.tag == 'testsuites', root.tag\n"
    "for s in [root] + root.findall('testsuite'):\n"
    "    for attr, tag in (('failures', 'failure'), ('errors', 'error'),\n"
    "                      ('skipped', 'skipped')):\n"
    "        assert int(s.get(attr)) == len(s.findall('.//testcase/' + tag)), (s.get('name'), "
    "attr)\n"
    "    assert int(s.get('tests')) == len(s.findall('.//testcase')), s.get('name')\n"
    "print('totals', root.get('tests'), root.get('failures'), root.get('errors'),\n"
    "      root.get('skipped'))\n"
    "for c in root.iter('testcase'):\n"
    "    verdicts = [v.tag + ': ' + v.get('message') for v in c\n"
    "                if v.tag in ('failure', 'error', 'skipped')]\n"
    "    print(c.get('classname'), c.get('name'), *verdicts, sep=' | ')\n";

static char *parse_with_python(const char *xml_path)
{
	char log_path[] = "/tmp/hilbench-junit-log-XXXXXX";
	const char *argv[] = {"/usr/bin/python3", "-c", junit_check_script, xml_path, NULL};
	struct spawn_options options = {.log_path = log_path};
	struct child child;
	uint8_t *log = NULL;
	size_t length;
	int fd = mkstemp(log_path);

	cr_assert(fd >= 0);
	close(fd);
	if (access(argv[0], X_OK) != 0)
		cr_skip_test("no /usr/bin/python3 to parse the XML with");
	cr_assert_eq(spawn_start(argv, &options, &child), HB_OK, "%s", hb_last_error());
	cr_assert_eq(spawn_wait(&child, 30000), HB_OK);
	cr_assert_eq(file_read_all(log_path, 1 << 20, "the parser's output", &log, &length), HB_OK);
	unlink(log_path);
	cr_assert_eq(child.exit_status, 0, "the XML parser refused the file: %s", (char *)log);
	return (char *)log;
}

Test(junit, a_real_parser_accepts_the_document_and_its_counts)
{
	char xml_path[] = "/tmp/hilbench-junit-XXXXXX";
	struct test_pair pair;
	char *parsed;
	int fd = mkstemp(xml_path);

	cr_assert(fd >= 0);
	close(fd);
	every_row(&pair);
	cr_assert_eq(junit_write_file(xml_path, &pair.result, "hilbench <compare>"), HB_OK);
	parsed = parse_with_python(xml_path);
	unlink(xml_path);
	/* Six rows, each a run testcase and three figures (count, arena,
	 * peak_ram); failures: the missing row, the count, the mismatch; the
	 * figures of the three rows without a new run are skipped. */
	cr_assert(strstr(parsed, "totals 24 3 1 9\n"), "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m4.a<b&\"c'>.int8 | count | failure: count: 1000000 "
				 "instructions -> 1200000 instructions (+200000 instructions, "
				 "+20.00%), allowed 0% (0 instructions) + noise 40 instructions\n"),
		  "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m0.fmnist_int8.int8 | run | failure: in the baseline "
				 "(test.json), missing from the new results\n"),
		  "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m7.fmnist_int8.int8 | run | error: timeout: it broke "
				 "(test.json)\n"),
		  "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m7.fmnist_int8.int8 | count | skipped: count: 1000000 "
				 "instructions in the baseline, not judged"),
		  "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m7.wrong.int8 | run | failure: output mismatch: it broke"),
		  "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m7.added.int8 | run\n"), "%s", parsed);
	cr_assert(strstr(parsed, "qemu-m4.fmnist_int8.int8 | peak_ram\n"), "%s", parsed);
	free(parsed);
	test_pair_release(&pair);
}

Test(junit, an_empty_comparison_is_still_a_document)
{
	char *text = NULL;
	size_t length = 0;
	FILE *stream = open_memstream(&text, &length);
	struct compare_result result = {0};

	cr_assert_not_null(stream);
	cr_assert_eq(junit_write(stream, &result, "none"), HB_OK);
	fclose(stream);
	cr_assert_str_eq(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<testsuites name=\"none\" tests=\"0\" failures=\"0\" errors=\"0\" "
			       "skipped=\"0\" time=\"0\">\n</testsuites>\n");
	free(text);
}
