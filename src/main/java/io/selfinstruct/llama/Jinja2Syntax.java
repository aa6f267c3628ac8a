package io.selfinstruct.llama;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.ExtendedScanner;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava's expression parser made to read expressions as jinja2 (that is, Python) reads them, where the two
 * differ in ways real chat templates depend on:
 *
 * <ul>
 *   <li>{@code not} binds looser than comparisons, tests and filters: {@code not date_string is defined} is
 *       {@code not (date_string is defined)}, {@code not tool_calls|length == 1} is {@code not (... == 1)}
 *       (Jinjava applies {@code not} to the next value alone, as Java's {@code !});
 *   <li>string literals take Python's escapes ({@code \u00e9}, {@code \x41}, {@code \N{...}}, octal), and an
 *       unknown escape stays as written, as Python keeps it.
 * </ul>
 */
final class Jinja2Syntax {

    private Jinja2Syntax() {}

    /** Jinjava's own factory setup (the JEE6 features, its truthiness), with this parser. */
    static ExpressionFactory expressionFactory() {
        Builder builder = new SyntaxBuilder(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        return new ExpressionFactoryImpl(new TreeStore(builder, new Cache(1000)), new TruthyTypeConverter());
    }

    private static final class SyntaxBuilder extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        SyntaxBuilder(Feature... features) {
            super(features);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonParser(this, expression);
        }
    }

    private static final class PythonParser extends ExtendedParser {

        PythonParser(Builder context, String input) {
            super(context, input);
        }

        @Override
        protected Scanner createScanner(String expression) {
            return new PythonScanner(expression);
        }

        /** and := not ('and' not)*, as Python's grammar has it (JUEL's goes straight to equality). */
        @Override
        protected AstNode and(boolean required) throws Scanner.ScanException, ParseException {
            AstNode v = not(required);
            if (v == null) {
                return null;
            }
            while (true) {
                switch (getToken().getSymbol()) {
                    case AND -> {
                        consumeToken();
                        v = createAstBinary(v, not(true), AstBinary.AND);
                    }
                    case EXTENSION -> {
                        if (getExtensionHandler(getToken()).getExtensionPoint() != ExtensionPoint.AND) {
                            return v;
                        }
                        v = getExtensionHandler(consumeToken()).createAstNode(v, not(true));
                    }
                    default -> {
                        return v;
                    }
                }
            }
        }

        /** not := 'not' not | comparison. */
        private AstNode not(boolean required) throws Scanner.ScanException, ParseException {
            if (getToken().getSymbol() == Scanner.Symbol.NOT) {
                consumeToken();
                return createAstUnary(not(true), AstUnary.NOT);
            }
            return eq(required);
        }
    }

    private static final class PythonScanner extends ExtendedScanner {

        PythonScanner(String input) {
            super(input);
        }

        @Override
        protected Token nextString() throws ScanException {
            String input = getInput();
            char quote = input.charAt(getPosition());
            StringBuilder value = new StringBuilder();
            int i = getPosition() + 1;
            while (i < input.length()) {
                char c = input.charAt(i++);
                if (c == quote) {
                    return token(Symbol.STRING, value.toString(), i - getPosition());
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                if (i == input.length()) {
                    break;
                }
                i = escape(input, i, value);
            }
            throw new ScanException(getPosition(), "unterminated string", String.valueOf(quote));
        }

        /** Appends the escape starting after the backslash at {@code i - 1}; returns the index after it. */
        private static int escape(String s, int i, StringBuilder value) {
            char c = s.charAt(i);
            switch (c) {
                case '\\', '\'', '"' -> value.append(c);
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'v' -> value.append('\u000b');
                case 'a' -> value.append('\u0007');
                case '\n' -> {}
                case 'x', 'u', 'U' -> {
                    int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                    if (isHex(s, i + 1, digits)) {
                        value.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 1 + digits), 16));
                        return i + 1 + digits;
                    }
                    value.append('\\').append(c);
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 < s.length() && s.charAt(i + 1) == '{' && close > 0) {
                        try {
                            value.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                            return close + 1;
                        } catch (IllegalArgumentException unknownName) {
                            // kept as written, below
                        }
                    }
                    value.append('\\').append(c);
                }
                default -> {
                    if (c >= '0' && c <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        value.append((char) Integer.parseInt(s.substring(i, end), 8));
                        return end;
                    }
                    value.append('\\').append(c);
                }
            }
            return i + 1;
        }

        private static boolean isHex(String s, int from, int digits) {
            if (from + digits > s.length()) {
                return false;
            }
            for (int k = from; k < from + digits; k++) {
                if (Character.digit(s.charAt(k), 16) < 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
