"""Writes jinja2-cases.json: hand-written chat templates, one jinja2 feature each, and what jinja2 renders from
them with the environment transformers' apply_chat_template builds (v4.46: ImmutableSandboxedEnvironment,
trim_blocks, lstrip_blocks, loop controls, its tojson, raise_exception, strftime_now pinned to 26 Jul 2024).
ChatTemplateSemanticsTest renders the same cases with Jinjava. Needs jinja2 3.1 (pip install jinja2):
    python3 src/test/resources/chat-templates/jinja2_cases.py
"""
import json, os, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols

def raise_exception(message):
    raise TemplateError(message)

def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

def strftime_now(fmt):
    import datetime
    return datetime.datetime(2024, 7, 26).strftime(fmt)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

def render(template, messages, add_generation_prompt, bos=None, eos=None, kwargs=None):
    ctx = dict(kwargs or {})
    if bos is not None: ctx["bos_token"] = bos
    if eos is not None: ctx["eos_token"] = eos
    try:
        tools = ctx.pop("tools", None); documents = ctx.pop("documents", None)
        return env.from_string(template).render(messages=messages, tools=tools, documents=documents, add_generation_prompt=add_generation_prompt, **ctx), None
    except TemplateError as e:
        return None, str(e)



U = [{"role": "user", "content": "Hi"}]
SUA = [{"role": "system", "content": " Be brief.\u3000"}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]
cases = {}
def case(name, template, messages=U, agp=True, bos="<s>", eos="</s>", kwargs=None):
    out, err = render(template, messages, agp, bos, eos, kwargs)
    cases[name] = {"template": template, "messages": messages, "add_generation_prompt": agp,
                   "bos_token": bos, "eos_token": eos, "template_args": kwargs or {}, "expected": out, "error": err}

case("trim_blocks drops the newline after a block tag", "{% for m in messages %}\n[{{ m.role }}]\n{% endfor %}\nend\n")
case("lstrip_blocks strips indentation before a block tag", "{% for m in messages %}\n    {% if m.role == 'user' %}\n    U:{{ m.content }}\n    {% endif %}\n{% endfor %}\n")
case("lstrip_blocks keeps spaces that follow text on the line", "Hello {% if true %}X{% endif %} {% if true %}Y{% endif %}\n  {{ 'Z' }} {% if true %}W{% endif %}")
case("comments are stripped and trimmed like blocks", "A\n  {# a comment #}\nB{#- trims left #}  C")
case("one final newline of the template is dropped", "{{ messages[0].content }}\n")
case("only one final newline is dropped", "{{ messages[0].content }}\n\n")
case("a final newline from an expression stays", "{{ 'x\\n' }}")
case("whitespace control minus", "A  {{- ' B ' -}}  C {%- if true -%}  D  {%- endif %}  E")
case("not binds looser than is", "{% if not date_string is defined %}{% set date_string = 'default' %}{% endif %}{{ date_string }}", kwargs={"date_string": "given"})
case("not binds looser than ==", "{% if not messages[0].role == 'system' %}no system{% else %}system{% endif %}|{{ not 1 == 2 }}")
case("not binds looser than a filter", "{% if not messages|length == 1 %}many{% else %}one{% endif %}")
case("not in", "{% if 'tool_calls' not in messages[0] %}plain{% endif %}|{{ 'role' in messages[0] }}|{{ 'x' in 'xyz' }}")
case("break and continue", "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}{% if m.role == 'assistant' %}{% break %}{% endif %}{{ m.role }};{% endfor %}", messages=SUA + [{"role": "user", "content": "again"}])
case("namespace carries a value out of a loop", "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% if m.role == 'system' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}", messages=SUA)
case("set inside a loop does not leak", "{% set x = 'outer' %}{% for m in messages %}{% set x = m.role %}{% endfor %}{{ x }}", messages=SUA)
case("string escapes in literals", "{{ 'a\\nb\\tc\\\\d\\'e' }}|{{ \"q\\\"q\" }}|{{ '\\u00e9\\x41' }}")
case("trim strips all Unicode whitespace", "[{{ messages[0].content | trim }}]", messages=[{"role": "user", "content": "\u3000\u00a0 \t\nHi\u2003\r\n\u0085"}])
case("trim with chars", "[{{ messages[0].content | trim('x') }}]", messages=[{"role": "user", "content": "xxHixx"}])
case("python string methods", "{% set c = messages[0].content %}[{{ c.strip() }}][{{ c.lstrip() }}][{{ c.rstrip() }}][{{ c.strip(' <>') }}]{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.startswith(' <') }}{{ c.endswith(('x', 'done ')) }}|{{ c.upper() }}|{{ c.split() | join(',') }}|{{ c.replace('think', 'T') }}|{{ '-'.join(['a', 'b']) }}", messages=[{"role": "user", "content": " <think>hmm</think>\n\nAnswer done "}])
case("slices and negative indexes", "{% for m in messages[1:] %}{{ m.role }},{% endfor %}|{{ messages[-1].content }}|{{ messages[:1] | length }}", messages=SUA)
case("loop variables", "{% for m in messages %}{{ loop.index }}/{{ loop.length }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{{ loop.revindex0 }};{% endfor %}", messages=SUA)
case("loop filter", "{% for m in messages if m.role != 'system' %}{{ m.role }}{{ loop.index }};{% endfor %}", messages=SUA)
case("undefined values render as nothing", "[{{ bos_token }}][{{ nothing }}][{{ messages[0].tool_calls }}]{% if messages[0].tool_calls %}T{% else %}F{% endif %}{% if nothing is defined %}D{% endif %}", bos=None)
case("python literals print as Python", "{{ true }} {{ false }} {{ 1.0 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ 2 ** 3 }} {{ 'a' ~ 1 }}")
case("tests", "{{ messages[0].content is string }}{{ messages is sequence }}{{ messages[0] is mapping }}{{ none is none }}{{ 1 is not none }}{{ messages[0].content is iterable }}")
case("inline if and default", "{{ 'yes' if messages|length > 1 else 'no' }}|{{ nothing | default('dflt') }}")
case("tojson", "{{ tools | tojson }}|{{ tools[0] | tojson(indent=2) }}|{{ {'b': 1, 'a': [true, none, 1.5, 'é\"\\n']} | tojson }}", kwargs={"tools": [{"name": "f", "parameters": {"type": "object", "properties": {}, "required": []}}]})
case("raise_exception stops with its message", "{% for m in messages %}{% if m.role == 'assistant' %}{{ raise_exception('Roles must alternate, got ' + m.role) }}{% endif %}{{ m.content }}{% endfor %}", messages=SUA)
case("message text is never interpreted", "{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ m.content | trim }}{% endfor %}", messages=[{"role": "user", "content": "{{ 7*7 }} {% for x in [1,2] %}{{ x }}{% endfor %} {# c #} {% raw %}r{% endraw %} {{ raise_exception('no') }}"}])
case("hostile role text is never interpreted", "{% for m in messages %}<{{ m.role }}>{% endfor %}", messages=[{"role": "{{ 7*7 }}", "content": ""}])
case("macro", "{% macro turn(role, text) %}<{{ role }}>{{ text }}</{{ role }}>{% endmacro %}{% for m in messages %}{{ turn(m.role, m.content) }}{% endfor %}")
case("items over a dict", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k, v in d | items %}{{ k }}{% endfor %}|{{ d.get('a') }}{{ d.get('z', 'none') }}", kwargs={"d": {"a": 1, "b": "two"}})
case("strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d') }}")
case("{%+ keeps the indentation lstrip_blocks would drop", "  {%+ if true %}x{% endif %}\n  {% if true %}y{% endif %}")
case("raw blocks are text, and lstrip_blocks applies to endraw", "A\n  {% raw %}{{ not rendered }} {% if %}\n  {% endraw %}\nB")
case("octal, named and unknown escapes", "{{ '\\101\\N{BULLET}\\d' }}")
case("not tools is none with tools given", "{% if not tools is none %}T{% endif %}{% if tools_in_user_message and not tools is none %}U{% endif %}{% if not nothing is defined %}N{% endif %}", kwargs={"tools": [1], "tools_in_user_message": True})
case("nested dict literal inside one expression", "{{ {'a': {'b': 1}} | tojson }}\n  {% if true %}x{% endif %}")
case("generation prompt after a trailing for", "{% for m in messages %}\n<|{{ m.role }}|>\n{{ m.content }}{{ eos_token }}\n{% endfor %}\n{% if add_generation_prompt %}\n<|assistant|>\n{% endif %}\n", messages=SUA)

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "jinja2-cases.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(cases, f, ensure_ascii=False, indent=1)
    f.write("\n")
