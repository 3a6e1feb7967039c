"""Complaints, feedback and questions (phản ánh, kiến nghị, hỏi đáp): intake, routing, answers, publication."""
