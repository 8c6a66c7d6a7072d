"""The Velocity engine behind API Gateway mapping templates: syntax, Velocity 1.7 semantics,
Java-like methods on strings, lists and maps."""

from __future__ import annotations

from typing import Any

import pytest

from postoffice.services.apigateway.vtl import TemplateError, render


def vtl(template: str, **variables: Any) -> str:
    return render(template, variables)


# References -------------------------------------------------------------------------------


def test_plain_text_is_copied() -> None:
    assert vtl("hello, world\n") == "hello, world\n"


def test_references_in_every_spelling() -> None:
    assert vtl("$name ${name} $!name $!{name}", name="Ann") == "Ann Ann Ann Ann"


def test_undefined_reference_prints_as_written_unless_quiet() -> None:
    assert vtl('"$missing" "${missing}" "$!missing" "$!{missing}"') == '"$missing" "${missing}" "" ""'


def test_undefined_property_of_defined_value_prints_whole_reference() -> None:
    assert vtl("$user.nick", user={"name": "x"}) == "$user.nick"


def test_braces_separate_a_reference_from_text() -> None:
    assert vtl("${word}s and $words", word="cat") == "cats and $words"


def test_dollar_without_identifier_is_text() -> None:
    assert vtl("costs $5 and $ alone, $.path") == "costs $5 and $ alone, $.path"


def test_escaped_dollar_and_hash() -> None:
    assert vtl(r"\$name \#set", name="x") == "$name #set"


def test_property_chain_and_index() -> None:
    data = {"order": {"items": [{"sku": "a"}, {"sku": "b"}]}}
    assert vtl("$data.order.items[1].sku", data=data) == "b"


def test_trailing_dot_is_text() -> None:
    assert vtl("Hi $name.", name="Bob") == "Hi Bob."


# Directives ------------------------------------------------------------------------------


def test_set_and_use() -> None:
    assert vtl('#set($a = "x")$a') == "x"


def test_set_of_null_keeps_the_old_value() -> None:
    assert vtl('#set($a = "old")#set($a = $nothing)$a') == "old"


def test_set_into_a_map_property() -> None:
    assert vtl('#set($m = {})#set($m.key = "v")$m.key $m') == "v {key=v}"


def test_if_elseif_else() -> None:
    template = "#if($n > 10)big#elseif($n > 5)medium#{else}small#end"
    assert [vtl(template, n=n) for n in (20, 7, 1)] == ["big", "medium", "small"]


def test_truthiness_is_velocity_17() -> None:
    template = "#if($v)yes#{else}no#end"
    assert vtl(template, v="") == "yes"
    assert vtl(template, v=[]) == "yes"
    assert vtl(template, v=False) == "no"
    assert vtl(template) == "no"
    assert vtl("#if(!$v)none#end") == "none"


def test_logical_operators_in_both_spellings() -> None:
    assert vtl("#if($a && !$b || $c)1#end#if($a and not $b)2#end#if($b or $a)3#end", a=True, b=False, c=False) == "123"


def test_comparison_operators() -> None:
    out = vtl("#if($a == 1)eq#end#if($a != 2)ne#end#if($a lt 2)lt#end#if($a ge 1)ge#end#if('b' > 'a')s#end", a=1)
    assert out == "eqneltges"


def test_equality_across_types_compares_strings() -> None:
    assert vtl('#if($n == "5")same#end', n=5) == "same"


def test_foreach_with_has_next_and_counters() -> None:
    template = "#foreach($x in $items)$foreach.index:$foreach.count:$velocityCount:$x#if($foreach.hasNext),#end#end"
    assert vtl(template, items=["a", "b", "c"]) == "0:1:1:a,1:2:2:b,2:3:3:c"


def test_foreach_over_a_map_iterates_values_and_key_set_gives_keys() -> None:
    assert vtl("#foreach($v in $m)$v#end", m={"a": 1, "b": 2}) == "12"
    assert vtl("#foreach($k in $m.keySet())$k=$m.get($k);#end", m={"a": 1, "b": 2}) == "a=1;b=2;"


def test_foreach_first_last_and_range() -> None:
    assert vtl("#foreach($i in [1..4])#if($foreach.first)[#end$i#if($foreach.last)]#end#end") == "[1234]"
    assert vtl("#foreach($i in [3..1])$i#end") == "321"


def test_foreach_restores_the_loop_variable() -> None:
    assert vtl("#foreach($x in [1, 2])#end$x", x="kept") == "kept"


def test_break_leaves_the_innermost_loop() -> None:
    template = "#foreach($a in [1, 2])#foreach($b in [1, 2, 3])#if($b == 2)#break#end$a$b #end#end"
    assert vtl(template) == "11 21 "


def test_stop_ends_rendering() -> None:
    assert vtl("before#stop after") == "before"


def test_nested_foreach_has_its_own_state() -> None:
    template = "#foreach($a in [1, 2])#foreach($b in ['x'])$foreach.count#end$foreach.count#end"
    assert vtl(template) == "1112"


def test_comments() -> None:
    assert vtl("a## a line comment\nb#* block\ncomment *#c") == "abc"


def test_unparsed_block() -> None:
    assert vtl("#[[ $not #if ]]#") == " $not #if "


def test_hash_that_is_not_a_directive() -> None:
    assert vtl("#1 item, #tag, #end_of") == "#1 item, #tag, #end_of"


def test_directive_with_spaces_before_parenthesis() -> None:
    assert vtl("#if ($a)x#end #set ($b = 1)$b", a=True) == "x 1"


# Whitespace ------------------------------------------------------------------------------


def test_set_alone_on_a_line_leaves_no_trace() -> None:
    assert vtl('{\n    #set($a = "x")\n    "a": "$a"\n}') == '{\n    "a": "x"\n}'


def test_directive_lines_swallow_their_newline_but_keep_indentation() -> None:
    template = "[\n#foreach($x in [1, 2])\n  $x\n#end\n]"
    assert vtl(template) == "[\n  1\n  2\n]"
    indented = "<\n  #if(true)\n  x\n  #end\n>"
    assert vtl(indented) == "<\n    x\n  >"


def test_newline_after_inline_directive_is_kept() -> None:
    assert vtl("a #set($x = 1) b\nc") == "a  b\nc"


# Expressions ------------------------------------------------------------------------------


def test_arithmetic_is_integral_for_integers() -> None:
    assert vtl("#set($x = 7 / 2)$x #set($y = 7.0 / 2)$y #set($z = -7 % 3)$z #set($w = 2 * (3 + 4) - 1)$w") == (
        "3 3.5 -1 13"
    )


def test_division_by_zero_is_null() -> None:
    assert vtl("#set($x = 1)#set($x = 1 / 0)$x") == "1"


def test_string_concatenation_with_plus() -> None:
    assert vtl('#set($s = "a" + 1 + "b")$s') == "a1b"


def test_interpolation_in_double_quotes_only() -> None:
    assert vtl("#set($a = \"hi $n\")#set($b = 'hi $n')$a|$b", n="you") == "hi you|hi $n"


def test_list_and_map_literals() -> None:
    assert vtl('#set($l = [1, "two", true])$l $l.size()') == "[1, two, true] 3"
    assert vtl('#set($m = {"a": 1, "b": [1, 2]})$m') == "{a=1, b=[1, 2]}"


def test_doubles_print_as_java_does() -> None:
    assert vtl("$a $b $c $d", a=1.0, b=0.5, c=1e20, d=12345678.9) == "1.0 0.5 1.0E20 1.23456789E7"


def test_booleans_and_nulls_in_collections() -> None:
    assert vtl("$l", l=[True, None, 1]) == "[true, null, 1]"


# Java methods ---------------------------------------------------------------------------


def test_string_methods() -> None:
    s = "  Hello, World  "
    assert vtl("$s.trim().toLowerCase()", s=s) == "hello, world"
    assert vtl("$s.length()", s="héllo") == "5"
    assert vtl("$s.substring(1, 3)|$s.substring(2)", s="abcdef") == "bc|cdef"
    assert vtl("$s.indexOf('c')|$s.lastIndexOf('a')|$s.charAt(0)", s="abcabc") == "2|3|a"
    assert (
        vtl("$s.contains('bc')|$s.startsWith('ab')|$s.endsWith('x')|$s.isEmpty()", s="abc") == "true|true|false|false"
    )
    assert vtl("$s.equals('abc')|$s.equalsIgnoreCase('ABC')|$s.toUpperCase()", s="abc") == "true|true|ABC"
    assert vtl("$s.replace('a', 'x')|$s.concat('!')", s="banana") == "bxnxnx|banana!"


def test_replace_all_uses_java_regexes_and_group_references() -> None:
    assert vtl(r"$s.replaceAll('(\w+)@(\w+)', '$2 at $1')", s="ann@example") == "example at ann"
    assert vtl(r"$s.replaceAll('\s+', '')", s="a b  c") == "abc"
    assert vtl("$s.replaceFirst('a', 'A')", s="banana") == "bAnana"
    assert vtl("$s.matches('[0-9]+')", s="123") == "true"


def test_split_drops_trailing_empty_strings() -> None:
    assert vtl("$s.split(',')", s="a,b,,c,,") == "[a, b, , c]"
    assert vtl("$s.split(',').size()", s="a,b") == "2"


def test_substring_out_of_range_fails_the_template() -> None:
    with pytest.raises(TemplateError):
        vtl("$s.substring(5)", s="abc")


def test_list_methods() -> None:
    items = ["a", "b"]
    assert vtl("$l.size() $l.get(0) $l.contains('b') $l.indexOf('b') $l.isEmpty()", l=items) == "2 a true 1 false"
    assert vtl("#set($ok = $l.add('c'))$l $ok", l=items) == "[a, b, c] true"
    assert vtl("$l.add('d')", l=[]) == "true"


def test_map_methods() -> None:
    m = {"a": 1}
    assert vtl('$m.put("b", 2)', m=m) == '$m.put("b", 2)'
    assert m == {"a": 1, "b": 2}
    assert (
        vtl("$m.size() $m.containsKey('a') $m.keySet() $m.values() $m.isEmpty()", m=m) == "2 true [a, b] [1, 2] false"
    )
    assert vtl("#foreach($e in $m.entrySet())$e.key=$e.value;$e.getKey()#end", m={"k": "v"}) == "k=v;k"
    assert vtl("$!m.remove('a')$m", m={"a": 1, "b": 2}) == "1{b=2}"


def test_unknown_method_prints_the_reference() -> None:
    assert vtl("$s.frobnicate()", s="x") == "$s.frobnicate()"
    assert vtl("$!s.frobnicate()", s="x") == ""


def test_number_methods() -> None:
    assert vtl("$n.toString() $n.intValue() $f.intValue()", n=5, f=2.7) == "5 5 2"


# Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    ["#if($a)x", "#end", "#set($a = )", "#foreach($a $b)#end", "#set(1 = 2)", '#set($a = "unterminated)', "#* open"],
)
def test_syntax_errors(template: str) -> None:
    with pytest.raises(TemplateError):
        vtl(template, a=1, b=[])
