// Module ArgumentParsing.
