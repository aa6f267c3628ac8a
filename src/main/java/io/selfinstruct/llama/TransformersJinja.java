package io.selfinstruct.llama;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.beans.FeatureDescriptor;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava set up the way transformers sets up jinja2 for {@code apply_chat_template}: {@code trim_blocks} and
 * {@code lstrip_blocks} on, one trailing newline of the template dropped, loop controls, {@code namespace()},
 * {@code raise_exception}, {@code strftime_now}, its {@code tojson} (Python's {@code json.dumps}), {@code trim} as
 * Python's {@code strip()}, Python's string methods, and undefined values that render as nothing. Nested
 * interpretation stays off: message text is data, and Jinja syntax inside it is output as written.
 */
final class TransformersJinja {

    /** An error the template itself raises, or a Python error (a bad separator) that ends the render. */
    static final class TemplateFailure extends RuntimeException {
        final boolean raised;

        TemplateFailure(String message) {
            this(message, false);
        }

        private TemplateFailure(String message, boolean raised) {
            super(message);
            this.raised = raised;
        }
    }

    /** Python's string methods first; everything else as Jinjava resolves it. */
    private static final ELResolver PYTHON_RESOLVER = new CompositeELResolver() {
        {
            add(new PythonStringMethods());
            add(com.hubspot.jinjava.el.JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        }
    };

    // after PYTHON_RESOLVER, which its config names
    private static final Jinjava JINJA = newJinjava();

    private TransformersJinja() {}

    /**
     * Renders {@code source} with {@code context}; {@code clock} is what {@code strftime_now} reads.
     *
     * @throws ChatTemplateException with the template's own message when it calls {@code raise_exception}, or
     *     with Jinjava's when it cannot be rendered
     */
    static String render(String source, Map<String, Object> context, Clock clock) {
        RenderResult result = JINJA.renderForResult(Jinja2Source.prepare(source), context, config(clock));
        TemplateError fatal = null;
        for (TemplateError error : result.getErrors()) {
            TemplateFailure failure = failure(error.getException());
            if (failure != null) {
                throw new ChatTemplateException(
                        failure.raised ? failure.getMessage() : "chat template failed: " + failure.getMessage());
            }
            if (fatal == null && error.getSeverity() == TemplateError.ErrorType.FATAL) {
                fatal = error;
            }
        }
        if (fatal != null) {
            throw new ChatTemplateException("chat template failed: " + fatal.getMessage());
        }
        return result.getOutput();
    }

    private static TemplateFailure failure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TemplateFailure failure) {
                return failure;
            }
        }
        return null;
    }

    private static JinjavaConfig config(Clock clock) {
        return JinjavaConfig.newBuilder()
                // message text is data: Jinja syntax inside a message is never rendered again
                .withNestedInterpretationEnabled(false)
                .withTrimBlocks(true)
                // lstrip_blocks and the final newline are done as jinja2 does them, by Jinja2Source
                .withLstripBlocks(false)
                .withKeepTrailingNewline(true)
                .withLocale(Locale.ENGLISH)
                .withTimeZone(clock.getZone())
                .withDateTimeProvider(clock::millis)
                .withElResolver(PYTHON_RESOLVER)
                .withInterperterFactory(new PythonInterpreterFactory())
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .build())
                .build();
    }

    private static Jinjava newJinjava() {
        Jinjava jinjava = new Jinja2Jinjava(config(Clock.systemDefaultZone()));
        jinjava.getGlobalContext().registerTag(new Jinja2ForTag());
        jinjava.getGlobalContext().registerExpTest(new IsIterable());
        jinjava.registerFunction(new ELFunctionDefinition(
                "", "raise_exception", TransformersJinja.class, "raiseException", Object.class));
        jinjava.registerFunction(
                new ELFunctionDefinition("", "strftime_now", TransformersJinja.class, "strftimeNow", String.class));
        jinjava.registerFilter(new ToJson());
        jinjava.registerFilter(new NamedFilter("trim", TransformersJinja::trim));
        jinjava.registerFilter(new NamedFilter("items", TransformersJinja::items));
        return jinjava;
    }

    /** {@code raise_exception(message)}: transformers raises {@code TemplateError(message)}. */
    static Object raiseException(Object message) {
        throw new TemplateFailure(String.valueOf(message), true);
    }

    /** {@code strftime_now(format)}: the current local time as Python's {@code strftime} formats it. */
    static String strftimeNow(String format) {
        JinjavaConfig config = JinjavaInterpreter.getCurrent().getConfig();
        ZonedDateTime now = ZonedDateTime.ofInstant(
                java.time.Instant.ofEpochMilli(config.getDateTimeProvider().getCurrentTimeMillis()),
                config.getTimeZone());
        return StrftimeFormatter.format(now, format, Locale.ENGLISH);
    }

    /** transformers' {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            Object separators = kwargs.get("separators");
            List<String> pair = separators == null
                    ? null
                    : ((List<?>) separators).stream().map(String::valueOf).toList();
            return PythonJson.dumps(
                    var,
                    PythonJson.Options.of(
                            indent == null ? null : ((Number) indent).intValue(),
                            pair,
                            Boolean.TRUE.equals(kwargs.get("sort_keys")),
                            Boolean.TRUE.equals(kwargs.get("ensure_ascii"))));
        }
    }

    /** A filter that needs only the value and its positional arguments. */
    private record NamedFilter(String name, java.util.function.BiFunction<Object, String[], Object> body)
            implements Filter {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return body.apply(var, args);
        }
    }

    /** jinja2's {@code trim(value, chars=None)}: Python's {@code str(value).strip(chars)}, undefined as "". */
    private static Object trim(Object value, String[] args) {
        return PythonStrings.strip(Objects.toString(value, ""), args.length > 0 ? args[0] : null, true, true);
    }

    /** jinja2's {@code items} filter: a mapping's (key, value) pairs. */
    private static Object items(Object value, String[] args) {
        return value instanceof Map<?, ?> map ? List.copyOf(map.entrySet()) : List.of();
    }

    /** jinja2's {@code iterable} test: strings and mappings are iterable too. */
    static final class IsIterable implements ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof java.lang.Iterable<?>
                    || var instanceof Map<?, ?>
                    || var instanceof CharSequence
                    || (var != null && var.getClass().isArray());
        }
    }

    /** Jinjava with {@link Jinja2Syntax}'s expression parser. */
    private static final class Jinja2Jinjava extends Jinjava {
        private final ExpressionFactory expressions = Jinja2Syntax.expressionFactory();

        Jinja2Jinjava(JinjavaConfig config) {
            super(config);
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressions;
        }
    }

    /** Interpreters that print values as Python's {@code str()} does where Jinjava differs: True, False. */
    private static final class PythonInterpreterFactory implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new PythonInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
            return new PythonInterpreter(application, context, config);
        }
    }

    private static final class PythonInterpreter extends JinjavaInterpreter {
        PythonInterpreter(Jinjava application, Context context, JinjavaConfig config) {
            super(application, context, config);
        }

        PythonInterpreter(JinjavaInterpreter orig) {
            super(orig);
        }

        @Override
        public String getAsString(Object object) {
            if (object instanceof Boolean b) {
                return b ? "True" : "False";
            }
            return super.getAsString(object);
        }
    }

    private static final class PythonStringMethods extends ELResolver {
        @Override
        public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
            if (base instanceof String s && method instanceof String name && PythonStrings.METHODS.contains(name)) {
                context.setPropertyResolved(true);
                return PythonStrings.call(s, name, params == null ? new Object[0] : params);
            }
            return null;
        }

        @Override
        public Class<?> getCommonPropertyType(ELContext context, Object base) {
            return null;
        }

        @Override
        public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
            return null;
        }

        @Override
        public Class<?> getType(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public Object getValue(ELContext context, Object base, Object property) {
            return null;
        }

        @Override
        public boolean isReadOnly(ELContext context, Object base, Object property) {
            return true;
        }

        @Override
        public void setValue(ELContext context, Object base, Object property, Object value) {}
    }
}
