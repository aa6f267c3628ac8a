package io.selfinstruct.llama;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.util.ForLoop;
import com.hubspot.jinjava.util.ObjectIterator;
import com.hubspot.jinjava.util.ObjectTruthValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinjava's {@code for} with jinja2's loop filter: {@code {% for m in messages if m.role != 'system' %}} iterates
 * only the items the condition keeps, and {@code loop.index}, {@code loop.length} count those (Jinjava reads the
 * {@code if} as an inline if without else and iterates everything).
 */
final class Jinja2ForTag extends ForTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        var varsAndExpression = getLoopVarsAndExpression((TagToken) tagNode.getMaster());
        String expression = varsAndExpression.getRight();
        int condition = topLevelIf(expression);
        if (condition < 0) {
            return super.interpretUnchecked(tagNode, interpreter);
        }
        List<String> loopVars = varsAndExpression.getLeft();
        Object collection =
                interpreter.resolveELExpression(expression.substring(0, condition), tagNode.getLineNumber());
        String test = expression.substring(condition + " if ".length());
        List<Object> kept = new ArrayList<>();
        ForLoop items = ObjectIterator.getLoop(collection);
        try (var scope = interpreter.enterScope()) {
            while (items.hasNext()) {
                Object item = items.next();
                bind(loopVars, interpreter.wrap(item), interpreter);
                if (ObjectTruthValue.evaluate(interpreter.resolveELExpression(test, tagNode.getLineNumber()))) {
                    kept.add(item);
                }
            }
        }
        return renderForCollection(tagNode, interpreter, loopVars, kept);
    }

    private static void bind(List<String> loopVars, Object item, JinjavaInterpreter interpreter) {
        if (loopVars.size() == 1) {
            interpreter.getContext().put(loopVars.get(0), item);
            return;
        }
        for (int i = 0; i < loopVars.size(); i++) {
            Object value = null;
            if (item instanceof Map.Entry<?, ?> entry && i < 2) {
                value = i == 0 ? entry.getKey() : entry.getValue();
            } else if (item instanceof List<?> list && i < list.size()) {
                value = list.get(i);
            }
            interpreter.getContext().put(loopVars.get(i), value);
        }
    }

    /** Where {@code " if "} starts outside brackets and string literals, or -1. */
    static int topLevelIf(String expression) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && expression.startsWith(" if ", i)) {
                return i;
            }
        }
        return -1;
    }
}
