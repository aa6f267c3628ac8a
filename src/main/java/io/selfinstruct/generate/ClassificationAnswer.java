package io.selfinstruct.generate;

import java.util.Locale;

/** Step 2 of self-instruct: the model's Yes/No to "Is it classification?". */
public final class ClassificationAnswer {

    private ClassificationAnswer() {}

    /** Yes (any case) is a classification task; chat decoration such as "**Yes.**" or "Yes, because" counts too. */
    public static boolean isYes(String response) {
        String text = ResponseText.undecorate(response).strip().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < text.length() && Character.isLetter(text.charAt(end))) {
            end++;
        }
        String first = text.substring(0, end);
        return first.equals("yes") || text.startsWith("是");
    }
}
