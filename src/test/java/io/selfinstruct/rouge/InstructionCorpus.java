package io.selfinstruct.rouge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic corpus of English instructions that read like self-instruct's machine-generated ones, from a
 * template grammar: {@code {slot}} expands to a random alternative of that slot, recursively. The same seed gives the
 * same list. {@code [text]} is included half of the time. Like a real generation run, some instructions come out as near-copies of others (the grammar reuses
 * phrasings), so dedup decisions near the threshold are exercised; three in five get a second sentence of detail, and about one in thirty a longer context so
 * texts over 64 tokens occur.
 */
final class InstructionCorpus {

    private static final Pattern SLOT = Pattern.compile("\\{(\\w+)}");
    private static final Pattern OPTIONAL = Pattern.compile("\\[([^\\[\\]]*)]");

    private static final Map<String, String[]> GRAMMAR = Map.ofEntries(
            Map.entry("instruction", new String[] {
                "{generate} {a_number} {items} about {topic}[ {audience_clause}][ {format_clause}].",
                "{what_are} some {items} {about} {topic}[ {audience_clause}]?",
                "{generate} {a_number} {items} for {audience} who want to {goal}[ {constraint_clause}].",
                "I am {persona} and I want to {goal}. {what_can_i_do}[ {format_clause}]",
                "{explain} {concept} to {audience} in {length}[, {example_clause}].",
                "{explain} how {concept} relates to {topic}[ {format_clause}][ {constraint_clause}].",
                "Explain the difference between {concept} and {concept2}.",
                "{write} a {mood} {genre} about {subject} {setting}[ {constraint_clause}].",
                "Write a {genre} that starts with the sentence \"{opening}\"",
                "{summarize} the {following} {doctype} in {length}[ {audience_clause}].",
                "Summarize the main arguments of {doctype_about} for {audience}.",
                "{classify} the {following} {classifiable} as {labels}[, and give a confidence score].",
                "Decide whether the given {claim_kind} is true or false, and explain why.",
                "Given a {doctype}, identify {extractable}.",
                "{extract} {extractable} from the {doctype}[ and {output_clause}].",
                "Rewrite the following sentence {rewrite_style}.",
                "Translate the given {text_kind} into {language}.",
                "Correct the grammar and spelling mistakes in the {text_kind}.",
                "{generate} {a_number} ways to {goal} without {constraint}[ {audience_clause}].",
                "{what_are} the {adjective} {things_to_know} {about} {topic}[ {audience_clause}]?",
                "How can {audience} {goal} on a {budget} budget?",
                "Why do {phenomenon_subject} {phenomenon_verb}?",
                "Compare {product} and {product2} in terms of {criterion} and {criterion2}.",
                "{create} a {plan_kind} for {audience} to {goal} in {period}[ {constraint_clause}].",
                "Design a {artifact} for a {business} that wants to {business_goal}.",
                "Draft an email to {recipient} {email_purpose}.",
                "Write a {length} {social_post} announcing {announcement}.",
                "Come up with {a_number} {creative_items} for a {event}.",
                "Tell me {a_number} {adjective} facts about {animal_or_place}.",
                "Solve the following {math_kind} and show each step.",
                "Find the {math_target} of the {math_object} given in the input.",
                "{write} a {code_language} function that {code_task}[ {code_clause}].",
                "Explain what the following {code_language} code does, line by line.",
                "Given a list of {list_items}, {list_operation}.",
                "Sort the following {list_items} by {sort_key}.",
                "Recommend {a_number} {media} for someone who enjoyed {work}.",
                "Describe {place_or_thing} to someone who has never {experience}.",
                "Give me a {recipe_kind} recipe that uses {ingredient} and {ingredient2}.",
                "Plan a {period} trip to {destination} for {audience} on a {budget} budget.",
                "List the pros and cons of {decision}.",
                "Should I {decision_verb}? Give arguments for both sides.",
                "Answer this question about {topic}: {question}[ {format_clause}]",
                "{create} a quiz with {a_number} {question_kind} questions about {topic}[ {audience_clause}].",
                "{turn} the {following} {doctype} into a {output_format}[ {audience_clause}].",
                "Identify the tone of the {text_kind} and explain which words show it.",
                "Find the odd one out in the list of {list_items} and explain your choice.",
                "Paraphrase the {text_kind} {rewrite_style}.",
                "{provide} a step-by-step guide {for_someone} to {goal}[ {format_clause}][ {constraint_clause}].",
                "Predict what will happen next in the {genre}, given its first paragraph.",
                "Act as a {role} and answer the customer's question about {topic}.",
                "Evaluate the {artifact} below for {criterion} and suggest improvements.",
                "Brainstorm {a_number} names for a {business} that {business_trait}.",
                "Convert {unit_task}.",
                "Tell whether the {classifiable} expresses a positive, negative or neutral opinion.",
                "Write a short dialogue between {character} and {character2} about {subject}.",
                "{explain} how {process} works in {length}[ {audience_clause}].",
                "{provide} an example of {concept} in {life_area}[ and explain why it fits].",
                "Estimate how long it would take to {long_task}, and explain your assumptions.",
            }),
            Map.entry("what_are", new String[] {"What are", "Can you name", "Could you list", "Which are", "Tell me"}),
            Map.entry("about", new String[] {"about", "related to", "concerning", "regarding", "on"}),
            Map.entry("explain", new String[] {
                "Explain", "Describe", "Clarify", "Break down", "Walk me through", "Illustrate", "Outline"
            }),
            Map.entry("write", new String[] {"Write", "Compose", "Draft", "Create", "Produce", "Pen"}),
            Map.entry(
                    "summarize",
                    new String[] {"Summarize", "Condense", "Give a summary of", "Sum up", "Recap", "Shorten"}),
            Map.entry("classify", new String[] {"Classify", "Label", "Categorize", "Sort", "Tag"}),
            Map.entry("extract", new String[] {"Extract", "Pull out", "List", "Find", "Identify", "Highlight"}),
            Map.entry("create", new String[] {"Create", "Design", "Make", "Put together", "Build", "Develop"}),
            Map.entry("provide", new String[] {"Provide", "Give", "Write", "Offer", "Share", "Prepare"}),
            Map.entry("turn", new String[] {"Turn", "Convert", "Transform", "Reformat", "Rewrite"}),
            Map.entry("following", new String[] {"following", "given", "provided", "attached", "next"}),
            Map.entry("for_someone", new String[] {
                "for anyone who wants",
                "for a complete beginner who needs",
                "that helps people",
                "for someone trying",
                "for a busy person who needs"
            }),
            Map.entry("what_can_i_do", new String[] {
                "What should I do first?",
                "Where do I start?",
                "What are my options?",
                "Give me a realistic plan.",
                "What mistakes should I avoid?",
                "How long will it take?"
            }),
            Map.entry("persona", new String[] {
                "a single parent",
                "a retired engineer",
                "a nursing student",
                "a shop owner in a small town",
                "a night-shift worker",
                "a recent immigrant",
                "a 45-year-old " + "accountant",
                "a college athlete",
                "a graphic designer",
                "a high school teacher",
                "an amateur photographer",
                "a new manager"
            }),
            Map.entry("mood", new String[] {
                "funny",
                "sad",
                "hopeful",
                "spooky",
                "heartwarming",
                "dramatic",
                "whimsical",
                "melancholic",
                "suspenseful",
                "lighthearted",
                "short"
            }),
            Map.entry("audience_clause", new String[] {
                "for {audience}",
                "aimed at {audience}",
                "that {audience} would understand",
                "suitable for {audience}",
                "with {audience} in mind",
                "written for {audience}"
            }),
            Map.entry("format_clause", new String[] {
                "in {length}",
                "as a {output_format}",
                "using {a_number} bullet points",
                "in a friendly tone",
                "in a formal tone",
                "with examples",
                "with a catchy title",
                "as a numbered list",
                "in plain English",
                "using an analogy"
            }),
            Map.entry("constraint_clause", new String[] {
                "without {constraint}",
                "and avoid technical jargon",
                "and cite at least one source",
                "and keep it under {word_limit} words",
                "and include a title",
                "and end with a question",
                "and mention {topic}",
                "in the second person"
            }),
            Map.entry("word_limit", new String[] {"50", "100", "150", "200", "250", "300"}),
            Map.entry("example_clause", new String[] {
                "using an example from {life_area}",
                "with an analogy to " + "{place_or_thing}",
                "and give one real-world example",
                "and mention a common misconception"
            }),
            Map.entry("life_area", new String[] {
                "cooking",
                "sports",
                "school",
                "the workplace",
                "shopping",
                "traffic",
                "family life",
                "online gaming",
                "travel",
                "banking",
                "gardening",
                "music"
            }),
            Map.entry("output_clause", new String[] {
                "return them as a comma-separated list",
                "put each one on a new line",
                "count how many there are",
                "sort them alphabetically",
                "format the result as JSON"
            }),
            Map.entry("question_kind", new String[] {
                "multiple-choice", "true or false", "open-ended", "fill-in-the-blank", "short-answer"
            }),
            Map.entry("code_clause", new String[] {
                "and add comments",
                "and include unit tests",
                "without using any libraries",
                "in a single line",
                "and explain its time complexity",
                "and handle invalid input"
            }),
            Map.entry("topic", new String[] {
                "{topic_core}", "{topic_core}", "the {aspect} of {topic_core}", "{topic_core} in {region}"
            }),
            Map.entry("aspect", new String[] {
                "history",
                "economics",
                "future",
                "ethics",
                "science",
                "basics",
                "risks",
                "benefits",
                "psychology",
                "politics",
                "cultural impact",
                "environmental cost",
                "main challenges",
                "common myths"
            }),
            Map.entry("region", new String[] {
                "Europe",
                "Japan",
                "rural areas",
                "developing countries",
                "the 19th century",
                "modern cities",
                "Africa",
                "South America",
                "the Middle Ages",
                "schools",
                "small towns",
                "Canada",
                "India"
            }),
            Map.entry("detail", new String[] {
                "Focus on the {aspect} and the {aspect}.",
                "The reader is {persona} who {reader_state}.",
                "Mention {topic_core} somewhere in the answer.",
                "Use {a_number} examples from {region}.",
                "Assume the reader {reader_state}.",
                "Keep the tone {tone} and the length under {word_limit} words.",
                "Start with {start_thing}.",
                "Make sure it works for {audience} as well.",
                "Avoid {avoid_thing}.",
                "Include {include_thing} at the end.",
                "It will be read aloud at a {event}.",
                "Imagine you are a {role} talking to {audience}.",
                "Refer to {work} if it helps.",
                "Think about {life_area} and {life_area} when you answer."
            }),
            Map.entry("reader_state", new String[] {
                "has never heard of it",
                "is very skeptical",
                "only has five minutes",
                "already knows the basics",
                "is not a native English speaker",
                "feels overwhelmed",
                "is preparing for an exam",
                "wants to teach it to others"
            }),
            Map.entry("tone", new String[] {
                "warm", "neutral", "playful", "serious", "encouraging", "direct", "academic", "casual", "optimistic"
            }),
            Map.entry("start_thing", new String[] {
                "a surprising statistic",
                "a short anecdote",
                "a question",
                "a one-line definition",
                "a famous quote",
                "the conclusion"
            }),
            Map.entry("avoid_thing", new String[] {
                "clichés",
                "long sentences",
                "passive voice",
                "exaggeration",
                "medical advice",
                "brand names",
                "any numbers",
                "rhetorical questions"
            }),
            Map.entry("include_thing", new String[] {
                "a short summary",
                "a list of sources",
                "a call to action",
                "three follow-up questions",
                "a glossary",
                "a fun fact",
                "a checklist"
            }),
            Map.entry("generate", new String[] {
                "Generate",
                "List",
                "Give me",
                "Come up with",
                "Write down",
                "Suggest",
                "Name",
                "Provide",
                "Brainstorm",
                "Think of"
            }),
            Map.entry("a_number", new String[] {
                "three", "five", "ten", "seven", "a few", "four", "six", "twenty", "several", "two", "eight", "a dozen"
            }),
            Map.entry("items", new String[] {
                "tips",
                "questions",
                "ideas",
                "examples",
                "facts",
                "reasons",
                "mistakes",
                "strategies",
                "exercises",
                "habits",
                "tools",
                "resources",
                "steps",
                "myths",
                "challenges",
                "interview questions",
                "conversation starters",
                "book titles",
                "research questions",
                "slogans"
            }),
            Map.entry("topic_core", new String[] {
                "climate change",
                "personal finance",
                "machine learning",
                "the French " + "Revolution",
                "healthy eating",
                "time management",
                "remote work",
                "renewable energy",
                "public " + "speaking",
                "the solar system",
                "ancient Rome",
                "gardening",
                "photosynthesis",
                "cybersecurity",
                "the stock market",
                "meditation",
                "urban planning",
                "the human immune system",
                "blockchain",
                "volcanoes",
                "marine biology",
                "the Cold War",
                "jazz music",
                "origami",
                "chess openings",
                "quantum computing",
                "sleep hygiene",
                "supply chains",
                "the water cycle",
                "electric cars",
                "Shakespeare's tragedies",
                "the Renaissance",
                "inflation",
                "coral reefs",
                "vaccines",
                "the Internet of Things",
                "minimalism",
                "bird migration",
                "dinosaurs",
                "the Olympic Games",
                "learning a second language",
                "job interviews",
                "first aid",
                "recycling",
                "social media",
                "the history of aviation",
                "baking bread",
                "probability",
                "plate tectonics",
                "black holes",
                "antibiotic resistance",
                "the printing press",
                "wildfires",
                "urban gardening",
                "fast fashion",
                "video game design",
                "the Silk Road",
                "tea ceremonies",
                "nuclear energy",
                "the gig economy",
                "space exploration",
                "honey production",
                "ocean tides",
                "human memory",
                "the Great Depression",
                "3D printing",
                "public libraries",
                "microplastics",
                "street art",
                "cryptography",
                "beekeeping",
                "the Industrial Revolution",
                "desert ecosystems",
                "volunteering",
                "procrastination",
                "composting",
                "artificial sweeteners",
                "the Roman Empire",
                "earthquakes",
                "online privacy",
                "classical music",
                "carbon taxes",
                "coffee farming",
                "mountain climbing",
                "the Moon landing",
                "self-driving cars",
                "fermentation",
                "board games",
                "the Amazon river",
                "hydroponics",
                "credit scores",
                "migraines",
                "skyscrapers",
                "pollinators",
                "wind power"
            }),
            Map.entry("audience", new String[] {
                "beginners",
                "a five-year-old",
                "high school students",
                "retirees",
                "small business owners",
                "software engineers",
                "new parents",
                "college freshmen",
                "nurses",
                "busy professionals",
                "first-time home buyers",
                "teenagers",
                "tourists",
                "teachers",
                "athletes",
                "people with a fear of flying",
                "introverts",
                "graduate students",
                "freelancers",
                "farmers"
            }),
            Map.entry("goal", new String[] {
                "save money",
                "sleep better",
                "learn to code",
                "get fit",
                "reduce " + "stress",
                "make new friends",
                "write a novel",
                "start a podcast",
                "eat more vegetables",
                "improve their memory",
                "prepare for a marathon",
                "study for exams",
                "decorate a small apartment",
                "negotiate a raise",
                "grow tomatoes on a balcony",
                "become more productive",
                "learn to play the " + "guitar",
                "reduce food waste",
                "stay motivated",
                "speak more confidently",
                "plan a wedding",
                "pay off debt",
                "read more books",
                "train a puppy",
                "build a personal website"
            }),
            Map.entry("constraint", new String[] {
                "spending any money",
                "leaving the house",
                "using a car",
                "buying new equipment",
                "giving up coffee",
                "using social media",
                "a gym membership",
                "hiring a professional",
                "any prior experience"
            }),
            Map.entry("concept", new String[] {
                "inflation",
                "recursion",
                "natural selection",
                "supply and demand",
                "compound interest",
                "the greenhouse effect",
                "opportunity cost",
                "machine translation",
                "entropy",
                "democracy",
                "cognitive dissonance",
                "the placebo effect",
                "gravity",
                "encryption",
                "osmosis",
                "a neural network",
                "the scientific method",
                "irony",
                "a budget deficit",
                "photosynthesis"
            }),
            Map.entry("concept2", new String[] {
                "deflation",
                "iteration",
                "artificial selection",
                "price controls",
                "simple interest",
                "global warming",
                "sunk cost",
                "speech recognition",
                "enthalpy",
                "a republic",
                "confirmation bias",
                "the nocebo effect",
                "magnetism",
                "hashing",
                "diffusion",
                "a decision tree",
                "a hypothesis",
                "sarcasm",
                "the national debt",
                "respiration"
            }),
            Map.entry("length", new String[] {
                "one sentence",
                "two sentences",
                "a short paragraph",
                "under 100 " + "words",
                "three bullet points",
                "simple terms",
                "fifty words",
                "plain language"
            }),
            Map.entry("genre", new String[] {
                "short story",
                "poem",
                "haiku",
                "limerick",
                "fable",
                "news report",
                "diary entry",
                "song chorus",
                "movie synopsis",
                "bedtime story",
                "mystery scene",
                "sonnet"
            }),
            Map.entry("subject", new String[] {
                "a lost umbrella",
                "a robot learning to paint",
                "two rival chefs",
                "a lighthouse keeper",
                "the first day of school",
                "a dragon who is afraid of fire",
                "an unexpected inheritance",
                "a time traveler stuck in 1850",
                "a talking cat",
                "a broken compass",
                "friendship",
                "the ocean at night",
                "a city without electricity",
                "an old library"
            }),
            Map.entry("setting", new String[] {
                "in a small village",
                "on a spaceship",
                "during a storm",
                "in the year 3000",
                "at a train station",
                "in a busy hospital",
                "on a desert island",
                "in medieval France",
                "at a summer camp",
                "underwater"
            }),
            Map.entry("opening", new String[] {
                "The door was already open.",
                "Nobody expected the rain.",
                "It was the last train of the night.",
                "She counted the coins twice.",
                "The letter arrived ten years too late.",
                "Everything smelled of burnt toast."
            }),
            Map.entry("doctype", new String[] {
                "article",
                "paragraph",
                "news story",
                "research abstract",
                "product review",
                "email",
                "meeting transcript",
                "blog post",
                "legal notice",
                "speech",
                "recipe",
                "customer complaint",
                "press release",
                "book chapter",
                "text"
            }),
            Map.entry("doctype_about", new String[] {
                "the debate on nuclear power",
                "the case for a four-day work " + "week",
                "the history of the printing press",
                "arguments about school uniforms",
                "the discussion on universal basic income",
                "the controversy around daylight saving time"
            }),
            Map.entry("classifiable", new String[] {
                "tweet",
                "movie review",
                "sentence",
                "news headline",
                "product description",
                "email subject line",
                "customer review",
                "comment",
                "restaurant review"
            }),
            Map.entry("labels", new String[] {
                "positive or negative",
                "spam or not spam",
                "fact or opinion",
                "formal or informal",
                "sports, politics, business or technology",
                "urgent or not urgent",
                "sarcastic or sincere",
                "question or statement"
            }),
            Map.entry("claim_kind", new String[] {"statement", "claim", "headline", "sentence", "fact"}),
            Map.entry("extractable", new String[] {
                "the names of people",
                "all dates",
                "the main argument",
                "the email addresses",
                "the key takeaways",
                "the locations mentioned",
                "the action items",
                "the numbers and their units",
                "the company names",
                "the questions asked"
            }),
            Map.entry("rewrite_style", new String[] {
                "in a more formal tone",
                "so that a child can understand it",
                "in the passive voice",
                "using fewer words",
                "in a more polite way",
                "as a question",
                "in the style of Shakespeare",
                "without using the letter e",
                "in a more persuasive way",
                "to sound more confident"
            }),
            Map.entry("text_kind", new String[] {
                "sentence", "paragraph", "text", "poem", "message", "phrase", "letter", "note", "review", "passage"
            }),
            Map.entry("language", new String[] {
                "French",
                "Spanish",
                "German",
                "Japanese",
                "Italian",
                "Portuguese",
                "simple English",
                "Chinese",
                "Korean",
                "Dutch",
                "Russian",
                "Arabic"
            }),
            Map.entry("adjective", new String[] {
                "most important",
                "surprising",
                "little-known",
                "basic",
                "most common",
                "key",
                "interesting",
                "essential",
                "fun",
                "practical"
            }),
            Map.entry("things_to_know", new String[] {
                "things to know",
                "facts",
                "ideas",
                "questions",
                "rules",
                "benefits",
                "risks",
                "misconceptions",
                "principles",
                "terms"
            }),
            Map.entry("budget", new String[] {"tight", "small", "moderate", "student", "limited", "generous"}),
            Map.entry("phenomenon_subject", new String[] {
                "cats", "leaves", "people", "birds", "stars", "prices", "onions", "bubbles", "bridges", "whales",
                "babies"
            }),
            Map.entry("phenomenon_verb", new String[] {
                "purr",
                "change color in autumn",
                "yawn",
                "fly south",
                "twinkle",
                "go up over time",
                "make us cry",
                "pop",
                "sway in the wind",
                "sing",
                "sleep so much"
            }),
            Map.entry("product", new String[] {
                "the iPhone",
                "Python",
                "electric scooters",
                "renting a home",
                "public transport",
                "e-books",
                "Linux",
                "tea",
                "solar panels",
                "online courses"
            }),
            Map.entry("product2", new String[] {
                "Android phones",
                "JavaScript",
                "bicycles",
                "buying a home",
                "driving",
                "printed books",
                "Windows",
                "coffee",
                "wind turbines",
                "university lectures"
            }),
            Map.entry("criterion", new String[] {
                "cost",
                "ease of use",
                "environmental impact",
                "reliability",
                "speed",
                "safety",
                "convenience",
                "long-term value"
            }),
            Map.entry("criterion2", new String[] {
                "maintenance",
                "popularity",
                "comfort",
                "durability",
                "accessibility",
                "privacy",
                "flexibility",
                "learning curve"
            }),
            Map.entry("plan_kind", new String[] {
                "weekly meal plan",
                "study schedule",
                "workout routine",
                "reading list",
                "daily routine",
                "savings plan",
                "training plan",
                "marketing plan"
            }),
            Map.entry("period", new String[] {
                "one week", "a month", "three days", "a weekend", "six weeks", "ten days", "a year", "two weeks"
            }),
            Map.entry("artifact", new String[] {
                "logo",
                "landing page",
                "loyalty program",
                "menu",
                "newsletter",
                "survey",
                "job posting",
                "onboarding checklist",
                "mobile app screen",
                "slogan"
            }),
            Map.entry("business", new String[] {
                "coffee shop",
                "bakery",
                "bookstore",
                "yoga studio",
                "software startup",
                "dental clinic",
                "bike repair shop",
                "law firm",
                "pet grooming salon",
                "food truck",
                "flower shop",
                "language school"
            }),
            Map.entry("business_goal", new String[] {
                "attract younger customers",
                "increase repeat visits",
                "expand online",
                "reduce waiting times",
                "look more professional",
                "stand out from competitors"
            }),
            Map.entry("business_trait", new String[] {
                "sells handmade goods",
                "is family owned",
                "focuses on sustainability",
                "opens only at night",
                "serves vegan food",
                "targets students"
            }),
            Map.entry("recipient", new String[] {
                "your manager",
                "a customer",
                "your landlord",
                "a professor",
                "a colleague",
                "the hiring team",
                "a supplier",
                "your neighbor",
                "the school principal"
            }),
            Map.entry("email_purpose", new String[] {
                "asking for a deadline extension",
                "apologizing for a late " + "delivery",
                "requesting a meeting next week",
                "declining a job offer politely",
                "following up on an unpaid invoice",
                "thanking them for their help",
                "reporting a broken heater",
                "asking for a letter of recommendation"
            }),
            Map.entry("social_post", new String[] {
                "tweet", "LinkedIn post", "Instagram caption", "Facebook update", "newsletter blurb"
            }),
            Map.entry("announcement", new String[] {
                "a new product launch",
                "a store opening",
                "a charity run",
                "a job opening",
                "a company anniversary",
                "a price drop",
                "a new podcast episode"
            }),
            Map.entry("creative_items", new String[] {
                "party games",
                "theme ideas",
                "icebreakers",
                "toast lines",
                "decoration ideas",
                "team names",
                "invitation texts"
            }),
            Map.entry("event", new String[] {
                "birthday party",
                "company retreat",
                "wedding reception",
                "school fundraiser",
                "family reunion",
                "book club meeting",
                "science fair"
            }),
            Map.entry("animal_or_place", new String[] {
                "octopuses",
                "Iceland",
                "honeybees",
                "the Amazon rainforest",
                "penguins",
                "Tokyo",
                "elephants",
                "the Moon",
                "Mount Everest",
                "sharks",
                "the Sahara desert"
            }),
            Map.entry("math_kind", new String[] {
                "word problem",
                "equation",
                "system of equations",
                "probability question",
                "geometry problem",
                "percentage problem"
            }),
            Map.entry("math_target", new String[] {
                "area", "perimeter", "median", "average", "derivative", "greatest common divisor", "sum"
            }),
            Map.entry("math_object", new String[] {
                "triangle", "list of numbers", "function", "rectangle", "circle", "pair of integers"
            }),
            Map.entry("code_language", new String[] {"Python", "JavaScript", "Java", "SQL", "Go", "Rust", "C"}),
            Map.entry("code_task", new String[] {
                "reverses a string",
                "checks whether a number is prime",
                "counts the words in a sentence",
                "merges two sorted lists",
                "removes duplicates from a list",
                "returns the nth Fibonacci number",
                "validates an email address",
                "finds the longest word"
            }),
            Map.entry("list_items", new String[] {
                "numbers",
                "words",
                "countries",
                "animals",
                "fruits",
                "dates",
                "cities",
                "names",
                "movies",
                "chemical elements"
            }),
            Map.entry("list_operation", new String[] {
                "return the ones that appear more than once",
                "group them by their first letter",
                "find the largest and the smallest",
                "remove the items that do not belong",
                "count how many there are of each kind"
            }),
            Map.entry("sort_key", new String[] {
                "size", "population", "alphabetical order", "release date", "price", "length", "popularity"
            }),
            Map.entry("media", new String[] {
                "books", "movies", "podcasts", "TV series", "board games", "albums", "documentaries", "video games"
            }),
            Map.entry("work", new String[] {
                "The Hobbit",
                "Pride and Prejudice",
                "Breaking Bad",
                "Inception",
                "The Great Gatsby",
                "Minecraft",
                "Abbey Road",
                "Planet Earth",
                "Sherlock Holmes",
                "Dune"
            }),
            Map.entry("place_or_thing", new String[] {
                "the taste of a mango",
                "snow",
                "the sound of the sea",
                "a rainbow",
                "a busy market",
                "a thunderstorm",
                "the smell of coffee",
                "a desert at noon"
            }),
            Map.entry("experience", new String[] {"seen it", "been there", "tasted it", "heard it", "experienced it"}),
            Map.entry("recipe_kind", new String[] {
                "vegetarian",
                "quick",
                "gluten-free",
                "one-pot",
                "breakfast",
                "budget-friendly",
                "high-protein",
                "kid-friendly"
            }),
            Map.entry("ingredient", new String[] {
                "chickpeas",
                "spinach",
                "eggs",
                "rice",
                "lentils",
                "mushrooms",
                "sweet potatoes",
                "tofu",
                "oats",
                "bananas"
            }),
            Map.entry("ingredient2", new String[] {
                "tomatoes",
                "garlic",
                "cheese",
                "lemon",
                "coconut milk",
                "peanut butter",
                "carrots",
                "honey",
                "yogurt",
                "basil"
            }),
            Map.entry("destination", new String[] {
                "Rome",
                "Kyoto",
                "Lisbon",
                "New York",
                "Cape Town",
                "Mexico City",
                "the Scottish Highlands",
                "Bali",
                "Prague",
                "Vancouver"
            }),
            Map.entry("decision", new String[] {
                "working from home",
                "buying an electric car",
                "learning online",
                "living in a big city",
                "adopting a dog",
                "taking a gap year",
                "using a credit card",
                "starting your own business"
            }),
            Map.entry("decision_verb", new String[] {
                "quit my job to travel",
                "learn Rust or Go first",
                "rent or buy an apartment",
                "study abroad",
                "switch to a standing desk",
                "go back to school"
            }),
            Map.entry("question", new String[] {
                "what is the most important thing to remember?",
                "how did it start?",
                "who are the key people involved?",
                "why does it matter today?",
                "what would change if it disappeared?"
            }),
            Map.entry("output_format", new String[] {
                "table", "bulleted list", "tweet", "set of flashcards", "timeline", "short quiz", "JSON object"
            }),
            Map.entry("role", new String[] {
                "travel agent",
                "personal trainer",
                "librarian",
                "tech support agent",
                "financial advisor",
                "nutritionist",
                "bank teller"
            }),
            Map.entry("character", new String[] {
                "a teacher", "a pirate", "a detective", "a grandmother", "an astronaut", "a barista", "a robot"
            }),
            Map.entry("character2", new String[] {
                "a student", "a parrot", "a suspect", "her grandson", "a " + "journalist", "a tired customer", "a child"
            }),
            Map.entry("process", new String[] {
                "a vaccine",
                "a search engine",
                "a refrigerator",
                "an election",
                "a credit score",
                "a bill becoming law",
                "the heart",
                "a solar panel",
                "a 3D printer"
            }),
            Map.entry("unit_task", new String[] {
                "the given temperature from Celsius to Fahrenheit",
                "10 miles into kilometers",
                "the recipe quantities from cups to grams",
                "the time from 24-hour to 12-hour format",
                "the price from dollars to euros"
            }),
            Map.entry("long_task", new String[] {
                "read every book in a small library",
                "walk around the Earth",
                "count to one million",
                "learn a thousand new words",
                "paint a house alone"
            }),
            Map.entry("context", new String[] {
                "The input is a long {doctype} written by {audience}, and the answer should mention every point it "
                        + "makes, in the order it makes them, without adding opinions that are not in the original "
                        + "text, and it should end with a one sentence summary that someone who has not read the "
                        + "{doctype} could understand.",
                "Assume the reader knows nothing about {topic} and has only a few minutes; keep the language "
                        + "simple, avoid jargon, define any term you must use, give at least one concrete example "
                        + "from {topic} or {concept}, and finish with {a_number} questions the reader could ask next "
                        + "to learn more about the subject on their own."
            }));

    private InstructionCorpus() {}

    /** {@code count} instructions from this seed. */
    static List<String> generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String text = expand("{instruction}", random);
            if (random.nextInt(5) < 3) {
                text = text + " " + expand("{detail}", random);
            }
            if (random.nextInt(30) == 0) {
                text = text + " " + expand("{context}", random);
            }
            out.add(text);
        }
        return out;
    }

    private static String expand(String template, SplittableRandom random) {
        Matcher optional = OPTIONAL.matcher(template);
        StringBuilder kept = new StringBuilder();
        while (optional.find()) {
            optional.appendReplacement(kept, random.nextBoolean() ? Matcher.quoteReplacement(optional.group(1)) : "");
        }
        optional.appendTail(kept);
        Matcher matcher = SLOT.matcher(kept);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String[] options = GRAMMAR.get(matcher.group(1));
            if (options == null) {
                throw new IllegalStateException("no grammar slot " + matcher.group(1));
            }
            matcher.appendReplacement(
                    out, Matcher.quoteReplacement(expand(options[random.nextInt(options.length)], random)));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
